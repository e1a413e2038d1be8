/* Large-font and high-contrast modes persist in a cookie that the server also
   reads, so the modes work without JavaScript (the links toggle server-side);
   with JavaScript the toggle happens in place. */
(function () {
  "use strict";
  var root = document.documentElement;
  function read() {
    var m = document.cookie.match(/(?:^|; )a11y=([^;]*)/);
    return m ? decodeURIComponent(m[1]).split(",").filter(Boolean) : [];
  }
  function write(list) {
    document.cookie = "a11y=" + encodeURIComponent(list.join(",")) + "; path=/; max-age=31536000; samesite=lax";
  }
  function apply(list) {
    root.classList.toggle("pref-large", list.indexOf("large") >= 0);
    root.classList.toggle("pref-contrast", list.indexOf("contrast") >= 0);
    document.querySelectorAll("[data-pref]").forEach(function (el) {
      el.setAttribute("aria-pressed", list.indexOf(el.getAttribute("data-pref")) >= 0 ? "true" : "false");
    });
  }
  apply(read());
  document.addEventListener("DOMContentLoaded", function () {
    apply(read());
    document.querySelectorAll("[data-pref]").forEach(function (el) {
      el.addEventListener("click", function (event) {
        event.preventDefault();
        var list = read(), name = el.getAttribute("data-pref"), i = list.indexOf(name);
        if (i >= 0) { list.splice(i, 1); } else { list.push(name); }
        write(list);
        apply(list);
      });
    });
  });
})();

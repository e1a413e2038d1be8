/* Large-font and high-contrast modes persist in the `a11y` cookie, which the
   server also reads: the toggles are links to /preferences/ that work without
   JavaScript, and the server renders the chosen classes on <html>. With
   JavaScript the toggle happens in place, without a page load. */
(function () {
  "use strict";
  var root = document.documentElement;
  var NAMES = ["large", "contrast"];
  function read() {
    var m = document.cookie.match(/(?:^|; )a11y=([^;]*)/);
    var list = m ? decodeURIComponent(m[1]).split(",") : [];
    return NAMES.filter(function (name) { return list.indexOf(name) >= 0; });
  }
  function write(list) {
    var secure = window.location.protocol === "https:" ? "; secure" : "";
    document.cookie = "a11y=" + encodeURIComponent(list.join(",")) + "; path=/; max-age=31536000; samesite=lax" + secure;
  }
  function apply(list) {
    root.classList.toggle("pref-large", list.indexOf("large") >= 0);
    root.classList.toggle("pref-contrast", list.indexOf("contrast") >= 0);
    document.querySelectorAll("[data-pref]").forEach(function (el) {
      el.setAttribute("aria-pressed", list.indexOf(el.getAttribute("data-pref")) >= 0 ? "true" : "false");
    });
  }
  function toggle(el) {
    var list = read(), name = el.getAttribute("data-pref"), i = list.indexOf(name);
    if (i >= 0) { list.splice(i, 1); } else { list.push(name); }
    write(list);
    apply(read());
  }
  apply(read());
  document.addEventListener("DOMContentLoaded", function () {
    apply(read());
    document.querySelectorAll("[data-pref]").forEach(function (el) {
      el.addEventListener("click", function (event) {
        event.preventDefault();
        toggle(el);
      });
      // role="button": Space activates it as it would a button.
      el.addEventListener("keydown", function (event) {
        if (event.key === " " || event.key === "Spacebar") {
          event.preventDefault();
          toggle(el);
        }
      });
    });
  });
})();

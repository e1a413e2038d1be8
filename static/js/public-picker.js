/* Region picker, progressive enhancement: choosing a city (or county) fills the
   next select in place from /r/pick/options/, so no "选择下一级" round trip is
   needed. Without JavaScript the form works by submitting one level at a time. */
(function () {
  "use strict";
  function setOptions(select, regions, placeholder) {
    while (select.options.length) { select.remove(0); }
    select.add(new Option(placeholder, ""));
    regions.forEach(function (r) { select.add(new Option(r.name, r.code)); });
    select.disabled = regions.length === 0;
  }
  function init(form) {
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-picker-level]"));
    var url = form.getAttribute("data-options-url");
    var next = form.querySelector("[data-picker-next]");
    if (next) { next.hidden = true; }
    var choose = form.getAttribute("data-label-choose") || "";
    var first = form.getAttribute("data-label-first") || "";
    selects.forEach(function (select, index) {
      select.addEventListener("change", function () {
        var below = selects.slice(index + 1);
        below.forEach(function (s) { setOptions(s, [], first); });
        if (!select.value || !below.length) { return; }
        fetch(url + "?parent=" + encodeURIComponent(select.value), { headers: { "Accept": "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { regions: [] }; })
          .then(function (data) { setOptions(below[0], data.regions || [], choose); })
          .catch(function () { if (next) { next.hidden = false; } });
      });
    });
  }
  document.querySelectorAll("[data-region-picker]").forEach(init);
})();

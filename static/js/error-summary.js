/* The error summary of a refused save (templates/includes/error_summary.html):
   focus moves to the summary when the page loads, so a screen reader reads it and
   the keyboard starts there; a link in it focuses its control and scrolls its
   label or legend into view (the plain #anchor jump also works without JavaScript). */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary || summary.getAttribute("data-enhanced")) { return; }
  summary.setAttribute("data-enhanced", "1");
  summary.focus();

  function labelFor(control) {
    var fieldset = control.closest("fieldset");
    if (control.id) {
      var label = document.querySelector("label[for='" + control.id + "']");
      if (label && !(control.type === "checkbox" || control.type === "radio")) { return label; }
    }
    if (fieldset) {
      var legend = fieldset.querySelector("legend");
      if (legend) { return legend; }
    }
    return control;
  }

  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    if (target.hidden || target.closest("[hidden]")) {
      var shown = target.closest("fieldset") || target.parentElement;
      target = shown;
    }
    labelFor(target).scrollIntoView();
    if (target.tabIndex < 0 && !/^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName)) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus({ preventScroll: true });
  });
})();

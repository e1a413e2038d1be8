/* Shows the "打印目录" button (hidden without JavaScript) and prints the page;
   print.css lays the catalog out as the official table. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();

// Progress bars carry their value in data-progress (0-100) instead of an inline style
// attribute, so the Content-Security-Policy can forbid inline styles. Sizes them on load and
// after every htmx swap.
(function () {
  "use strict";
  function size(root) {
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = Math.max(0, Math.min(100, parseFloat(bar.getAttribute("data-progress")) || 0));
      bar.style.width = value + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { size(document); });
  document.addEventListener("htmx:afterSettle", function (event) { size(event.target || document); });
})();

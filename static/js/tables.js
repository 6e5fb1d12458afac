// Tables marked .table-stack become stacked lists on narrow screens (static/css/app.css). Each
// cell gets its column's heading as data-label, which the stylesheet shows before it.
(function () {
  "use strict";
  function label(root) {
    root.querySelectorAll("table.table-stack").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.replace(/\s+/g, " ").trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, i) {
          if (heads[i] && cell.tagName === "TD" && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", heads[i]);
          }
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { label(document); });
  document.addEventListener("htmx:afterSwap", function (event) { label(event.target); });
})();

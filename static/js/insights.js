// Draws the dashboards' charts with Chart.js (from npm, served under /static/vendor/).
// No inline script: each <canvas data-chart="ID"> reads its figures from the JSON that the
// template wrote with json_script into <script type="application/json" id="ID">. Every chart
// has the same figures in a data table next to it, so the canvas is hidden from screen readers.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") return;
  var palette = ["#1d3d6b", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#28a197"];
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var stacked = !!spec.stacked;
    var scales = {
      x: { stacked: stacked, title: { display: !!spec.xTitle, text: spec.xTitle || "" } },
      y: { stacked: stacked, beginAtZero: spec.type === "bar", suggestedMin: spec.suggestedMin, suggestedMax: spec.suggestedMax }
    };
    // A measure with fixed ends gets exactly those ends (a 1-5 score, NPS, a percentage), so a
    // small change never fills the chart.
    if (spec.yMin !== undefined) { scales.y.min = spec.yMin; scales.y.beginAtZero = false; }
    if (spec.yMax !== undefined) { scales.y.max = spec.yMax; }
    var datasets = spec.datasets.map(function (ds, i) {
      var colour = palette[i % palette.length];
      var out = {
        label: ds.label, data: ds.data, borderColor: colour, backgroundColor: colour,
        borderWidth: 2, spanGaps: false, pointRadius: 3  // a missing value is a gap
      };
      return out;
    });
    if (spec.horizontal) {
      var swap = scales.x; scales.x = scales.y; scales.y = swap;
      scales.x.beginAtZero = true;
    }
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: reduceMotion ? false : undefined,
        plugins: { legend: { display: datasets.length > 1 } },
        scales: scales
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();

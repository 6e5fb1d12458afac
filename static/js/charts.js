// Bar charts for survey results. Each <canvas data-chart="ID"> reads its data from
// <script type="application/json" id="ID"> (Django's json_script), so no inline script is needed
// (the Content Security Policy forbids them). Every chart has a data table next to it for screen
// readers and keyboard users; the canvas is a picture of that table.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") return;
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: "People", data: data.counts, backgroundColor: "#1d3d6b" }],
      },
      options: {
        animation: false,
        responsive: true,
        plugins: { legend: { display: false }, tooltip: { enabled: true } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  });
});

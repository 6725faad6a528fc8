// Horizontal bar charts: every <canvas data-bars="ID"> drawn from the JSON of the element ID (json_script:
// {labels, stacked, series: [{label, data, color}]}); the Content Security Policy forbids inline scripts.
(function () {
  "use strict";
  function draw() {
    if (typeof Chart === "undefined") return;
    document.querySelectorAll("canvas[data-bars]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.bars);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: data.series.map(function (s) {
            return { label: s.label, data: s.data, backgroundColor: s.color };
          })
        },
        options: {
          indexAxis: "y",
          responsive: true,
          maintainAspectRatio: false,
          scales: { x: { stacked: !!data.stacked, beginAtZero: true }, y: { stacked: !!data.stacked } },
          plugins: { legend: { position: "bottom" } }
        }
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();

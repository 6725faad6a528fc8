// The top of the ranking: acquisitions beside quality-adjusted acquisitions, so the gap shows at a glance.
// Data from the page (json_script "ranking-data"); the Content Security Policy forbids inline scripts.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("ranking-data");
    var canvas = document.getElementById("ranking-chart");
    if (!source || !canvas || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.acquiredLabel, data: data.acquired, backgroundColor: "#aab4c0" },
          { label: data.scoreLabel, data: data.score, backgroundColor: "#0b5cad" }
        ]
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { beginAtZero: true } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();

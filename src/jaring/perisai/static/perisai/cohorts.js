// Retention of an agent's cohorts: one line per reading (3, 6, 12 months after acquisition).
// The data comes from the page (json_script "cohort-data"); the Content Security Policy forbids inline scripts.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("cohort-data");
    var canvas = document.getElementById("cohort-chart");
    if (!source || !canvas || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var colours = ["#0b5cad", "#1b7f3b", "#8a5a00"];
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, index) {
          return {
            label: series.label,
            data: series.data,
            borderColor: colours[index % colours.length],
            backgroundColor: colours[index % colours.length],
            spanGaps: false,
            tension: 0.2
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: { min: 0, max: 100, ticks: { callback: function (value) { return value + " %"; } } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();

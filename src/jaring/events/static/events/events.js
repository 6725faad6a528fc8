// A campaign's events side by side: new participants and runners already registered, per event.
// Data from the page (json_script "campaign-data"); the Content Security Policy forbids inline scripts.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("campaign-data");
    var canvas = document.getElementById("campaign-chart");
    if (!source || !canvas || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.newLabel, data: data.new, backgroundColor: "#0b5cad" },
          { label: data.alreadyLabel, data: data.already, backgroundColor: "#aab4c0" }
        ]
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();

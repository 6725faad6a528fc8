/* Dashboard charts (Chart.js 4). Each <canvas data-chart="line|bar|doughnut" data-source="ID"> is drawn
   from the JSON of the <script type="application/json" id="ID"> the page wrote with json_script (the
   Content Security Policy forbids inline script). Charts inside a part htmx swaps in are drawn again. */
(function () {
  "use strict";

  var PALETTE = ["#0b5cad", "#f0a030", "#1b7f3b", "#b3261e", "#6a4c93", "#00838f", "#8a5a00", "#5b6776",
    "#d81b60", "#7cb342"];

  function formatter(money, unit) {
    var number = new Intl.NumberFormat(document.documentElement.lang || "id");
    return function (value) {
      return (money ? "Rp" : "") + number.format(value) + (unit ? " " + unit : "");
    };
  }

  /* Several series side by side: data.datasets = [{label, values}, ...], with a legend. */
  function series(kind, data) {
    if (!data.datasets) {
      return [{
        label: data.label || "", data: data.values, borderColor: PALETTE[0],
        backgroundColor: kind === "line" ? "rgba(11, 92, 173, .15)" : PALETTE[0], fill: kind === "line",
        tension: 0
      }];
    }
    return data.datasets.map(function (set, index) {
      var colour = PALETTE[index % PALETTE.length];
      return { label: set.label, data: set.values, borderColor: colour, backgroundColor: colour, tension: 0 };
    });
  }

  function config(kind, data) {
    var show = formatter(data.money, data.unit);
    if (kind === "doughnut") {
      return {
        type: "doughnut",
        data: { labels: data.labels, datasets: [{ data: data.values, backgroundColor: PALETTE }] },
        options: {
          responsive: true, maintainAspectRatio: false,
          plugins: {
            legend: { position: "bottom" },
            tooltip: { callbacks: { label: function (item) { return item.label + ": " + show(item.parsed); } } }
          }
        }
      };
    }
    var horizontal = Boolean(data.horizontal);
    var valueAxis = { beginAtZero: true, ticks: { precision: 0, callback: function (value) { return show(value); } } };
    return {
      type: kind,
      data: { labels: data.labels, datasets: series(kind, data) },
      options: {
        responsive: true, maintainAspectRatio: false, animation: { duration: 300 }, indexAxis: horizontal ? "y" : "x",
        scales: horizontal ? { x: valueAxis } : { y: valueAxis },
        plugins: {
          legend: { display: Boolean(data.datasets), position: "bottom" },
          tooltip: { callbacks: { label: function (item) {
            var value = show(horizontal ? item.parsed.x : item.parsed.y);
            return data.datasets ? item.dataset.label + ": " + value : value;
          } } }
        }
      }
    };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.source);
    if (!source || typeof Chart === "undefined" || Chart.getChart(canvas)) {
      return;
    }
    new Chart(canvas, config(canvas.dataset.chart, JSON.parse(source.textContent)));
  }

  function drawAll(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  function forget(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = Chart.getChart(canvas);
      if (chart) {
        chart.destroy();
      }
    });
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (typeof Chart !== "undefined") {
      forget(event.detail.target);
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    drawAll(event.detail.elt && event.detail.elt.isConnected ? event.detail.elt : document);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
})();

/* Draws the KPI trend charts: each <canvas data-chart="id"> reads its figures from
   the JSON <script id="id"> next to it (rendered by the server). Runs on page load
   and on every htmx swap, and frees charts that htmx is about to replace. */
(function () {
  "use strict";
  var COLOURS = ["#1f5fbf", "#b35900", "#2f7d4a", "#7a3fb0"];

  function draw(root) {
    if (!window.Chart || !root.querySelectorAll) return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (window.Chart.getChart(canvas)) return;  // drawn (not a canvas from htmx history)
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      var datasets = spec.lines.map(function (line, i) {
        var colour = COLOURS[i % COLOURS.length];
        return {
          label: line.label, data: line.data, borderColor: colour, backgroundColor: colour,
          spanGaps: true, pointRadius: 2, borderWidth: 2, tension: 0.2
        };
      });
      datasets.push({
        label: "Target", data: spec.labels.map(function () { return spec.target; }),
        borderColor: "#6c757d", borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0
      });
      var digits = spec.decimals;
      new window.Chart(canvas, {
        type: "line",
        data: { labels: spec.labels, datasets: datasets },
        options: {
          responsive: true, maintainAspectRatio: false, animation: false,
          interaction: { mode: "index", intersect: false },
          plugins: {
            legend: { position: "bottom", labels: { boxWidth: 12 } },
            tooltip: {
              callbacks: {
                label: function (ctx) {
                  return ctx.dataset.label + ": " + (ctx.parsed.y === null ? "—" : ctx.parsed.y.toFixed(digits)) + " " + spec.unit;
                }
              }
            }
          },
          scales: {
            x: { ticks: { maxTicksLimit: 8, autoSkip: true } },
            y: { title: { display: true, text: spec.unit }, ticks: { precision: digits } }
          }
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:load", function (event) { draw(event.detail.elt); });
  // Back/forward restores the page's HTML from htmx's history: its canvases are blank.
  document.addEventListener("htmx:historyRestore", function () {
    window.setTimeout(function () { draw(document); }, 0);
  });
  // htmx keeps a copy of the page for Back: take the charts out first, so the copy
  // holds no inline style (Chart.js sizes its canvases with one, and the Content
  // Security Policy refuses inline styles when the copy is put back).
  document.addEventListener("htmx:beforeHistorySave", function (event) {
    event.detail.historyElt.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = window.Chart && window.Chart.getChart(canvas);
      if (chart) chart.destroy();
      canvas.removeAttribute("style");
    });
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!window.Chart) return;
    event.detail.target.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = window.Chart.getChart(canvas);
      if (chart) chart.destroy();
    });
  });
})();

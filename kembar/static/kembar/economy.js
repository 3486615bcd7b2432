// Economy page: output multipliers of three tables, linkages, and (for staff) the portfolio's
// impact by sector.  The tables beside the charts carry the same figures.
(function () {
  "use strict";

  var COLOURS = ["#9aa5b1", "#3f9a80", "#1b6b5a"];
  // Ticks and tooltips in the page's language (id: 1.234,5; en: 1,234.5), not the browser's.
  var LOCALE = document.documentElement.lang || "id";

  function readJSON(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function bar(id, labels, datasets, options) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: Object.assign({ locale: LOCALE, indexAxis: "y", animation: false, responsive: true, maintainAspectRatio: false }, options || {}),
    });
    canvas.dataset.drawn = "true";
  }

  function draw(data) {
    if (typeof Chart === "undefined" || !data) { return; }
    Chart.defaults.font.family = "system-ui, sans-serif";
    bar(
      "economy-output-chart",
      data.output.labels,
      data.output.datasets.map(function (dataset, index) {
        return { label: dataset.label, data: dataset.data, backgroundColor: COLOURS[index % COLOURS.length] };
      }),
      {
        scales: {
          x: { min: 1, title: { display: true, text: data.labels.output } },
          y: { title: { display: true, text: data.labels.sector } },
        },
      }
    );
    bar("economy-linkages-chart", data.linkages.labels, [
      { label: data.labels.backward, data: data.linkages.backward, backgroundColor: "#1b6b5a" },
      { label: data.labels.forward, data: data.linkages.forward, backgroundColor: "#c9a227" },
    ], {
      scales: {
        x: { title: { display: true, text: data.labels.linkage } },
        y: { title: { display: true, text: data.labels.sector } },
      },
    });
    if (data.impact) {
      bar(
        "economy-impact-chart",
        data.impact.labels,
        [
          { label: data.labels.direct, data: data.impact.direct, backgroundColor: "#1b6b5a" },
          { label: data.labels.indirect, data: data.impact.indirect, backgroundColor: "#7fc2ae" },
          { label: data.labels.induced, data: data.impact.induced, backgroundColor: "#c9d6df" },
        ],
        {
          scales: {
            x: { stacked: true, title: { display: true, text: data.labels.millions } },
            y: { stacked: true, title: { display: true, text: data.labels.sector } },
          },
        }
      );
    }
  }

  function init() {
    draw(readJSON("economy-chart-data"));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

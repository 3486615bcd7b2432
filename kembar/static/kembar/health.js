// Partnership health over time: the score at each month end as a line chart.
// The table beside the chart carries the same figures with the state.
(function () {
  "use strict";

  var LOCALE = document.documentElement.lang || "id";

  function readJSON(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function monthLabel(iso) {
    var parts = iso.split("-");
    var day = new Date(Date.UTC(Number(parts[0]), Number(parts[1]) - 1, 1));
    return new Intl.DateTimeFormat(LOCALE, { month: "short", year: "numeric", timeZone: "UTC" }).format(day);
  }

  function draw(data) {
    var canvas = document.getElementById("health-chart");
    if (typeof Chart === "undefined" || !data || !canvas) { return; }
    Chart.defaults.font.family = "system-ui, sans-serif";
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.months.map(monthLabel),
        datasets: [{ label: data.labels.score, data: data.scores, borderColor: "#1b6b5a", spanGaps: false }],
      },
      options: {
        locale: LOCALE, animation: false, responsive: true,
        scales: {
          x: { title: { display: true, text: data.labels.month } },
          y: { min: 0, max: 100, title: { display: true, text: data.labels.score } },
        },
      },
    });
  }

  function init() { draw(readJSON("health-chart-data")); }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

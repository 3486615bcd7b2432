// Reach dashboard: a choropleth of the kecamatan from a local GeoJSON (no tile server)
// and three charts; the tables beside them carry the same figures.
(function () {
  "use strict";

  var shared = window.KembarChoropleth;
  var readJSON = shared.readJSON;
  var breaks = shared.breaks;
  var classOf = shared.classOf;
  // Numbers in the page's language (id: 1.234,5; en: 1,234.5), not the browser's.
  var LOCALE = document.documentElement.lang || "id";
  var ONE_DECIMAL = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

  function drawMap(data) {
    var element = document.getElementById("reach-map");
    if (!element || typeof L === "undefined") { return; }
    var map = L.map(element, { zoomSnap: 0.25, minZoom: 9, maxZoom: 15 });
    map.attributionControl.setPrefix("Leaflet");
    var values = Object.keys(data.districts)
      .map(function (kode) { return data.districts[kode].per_10k; })
      .filter(function (value) { return value !== null && value > 0; });
    var limits = breaks(values);
    fetch(element.dataset.boundariesUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (geojson) {
        if (!geojson) { return; }
        var drawn = 0;
        var layer = L.geoJSON(geojson, {
          style: function (feature) {
            var figure = data.districts[feature.properties.kode] || {};
            var name = "reach-district";
            if (figure.participants === null && figure.per_10k === null) {
              name += " reach-suppressed";
            } else if (!figure.per_10k) {
              name += " reach-none";
            } else {
              name += " reach-q" + classOf(figure.per_10k, limits);
            }
            return { className: name, weight: 1 };
          },
          onEachFeature: function (feature, shape) {
            var figure = data.districts[feature.properties.kode] || {};
            // The name from the record, else the boundary file's; set as text, never as HTML.
            var text = (figure.name || feature.properties.nama) + ": ";
            if (figure.participants === null) {
              text += data.labels.suppressed;
            } else if (!figure.per_10k) {
              text += data.labels.none;
            } else {
              text += ONE_DECIMAL.format(figure.per_10k) + " " + data.labels.per10k;
            }
            var tooltip = document.createElement("span");
            tooltip.textContent = text;
            shape.bindTooltip(tooltip);
            shape.on("add", function () {
              var path = shape.getElement && shape.getElement();
              if (path) { path.setAttribute("data-kode", feature.properties.kode); }
            });
            drawn += 1;
          },
        }).addTo(map);
        map.fitBounds(layer.getBounds(), { padding: [10, 10] });
        element.dataset.districts = String(drawn);
        var legend = document.getElementById("reach-legend");
        if (legend) {
          var parts = ["0"].concat(limits.map(function (limit) { return ONE_DECIMAL.format(limit); }));
          legend.textContent = parts.join(" · ") + " — " + data.labels.per10k;
        }
      });
  }

  function drawCharts(data) {
    if (typeof Chart === "undefined" || !data) { return; }
    Chart.defaults.font.family = "system-ui, sans-serif";
    var shares = function (rows, index) {
      return rows.map(function (row) { return row[index] === null ? null : row[index] * 100; });
    };
    [
      ["reach-groups-chart", data.groups, data.labels.group],
      ["reach-gender-chart", data.gender, data.labels.gender],
    ].forEach(function (item) {
      var canvas = document.getElementById(item[0]);
      if (!canvas) { return; }
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: item[1].map(function (row) { return row[0]; }),
          datasets: [
            { label: data.labels.participants + " (%)", data: shares(item[1], 1), backgroundColor: "#1b6b5a" },
            { label: data.labels.population + " (%)", data: shares(item[1], 2), backgroundColor: "#c9d6df" },
          ],
        },
        options: {
          locale: LOCALE, indexAxis: "y", animation: false, responsive: true,
          scales: {
            x: { title: { display: true, text: data.labels.share } },
            y: { title: { display: true, text: item[2] } },
          },
        },
      });
    });
    var years = document.getElementById("reach-years-chart");
    if (years) {
      new Chart(years, {
        type: "line",
        data: {
          labels: data.years.map(function (row) { return row[0]; }),
          datasets: [{ label: data.labels.people, data: data.years.map(function (row) { return row[1]; }), borderColor: "#1b6b5a" }],
        },
        options: {
          locale: LOCALE, animation: false, responsive: true,
          scales: {
            x: { title: { display: true, text: data.labels.year } },
            y: { beginAtZero: true, title: { display: true, text: data.labels.people } },
          },
        },
      });
    }
  }

  function init() {
    var mapData = readJSON("reach-map-data");
    if (mapData) { drawMap(mapData); }
    drawCharts(readJSON("reach-chart-data"));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

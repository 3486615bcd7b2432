// The ministry's map: provinces or kabupaten/kota from the shipped GeoJSON (no tile server),
// coloured by the chosen measure in five quantile classes, and a second map with a line
// from each region to each partner city.  Data from the json_script elements
// "national-map-data" and "national-flow-data"; colours from CSS classes, as the Content
// Security Policy allows no inline styles.  The tables on the page carry the same figures.
(function () {
  "use strict";

  var shared = window.KembarChoropleth;
  var readJSON = shared.readJSON;
  var breaks = shared.breaks;
  var classOf = shared.classOf;

  function tooltip(text) {
    // Tooltips get an element, not HTML, so that a name is never markup.
    var element = document.createElement("span");
    element.textContent = text;
    return element;
  }

  function drawRegions(data) {
    var element = document.getElementById("national-map");
    if (!element || typeof L === "undefined") { return; }
    var map = L.map(element, { zoomSnap: 0.25, minZoom: 3, maxZoom: 12 });
    map.attributionControl.setPrefix("Leaflet");
    map.setView([-2.5, 118], 4);
    var values = Object.keys(data.regions)
      .map(function (kode) { return data.regions[kode].value; })
      .filter(function (value) { return value !== null && value > 0; });
    var limits = breaks(values);
    fetch(element.dataset.boundariesUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (geojson) {
        if (!geojson) { return; }
        var drawn = 0;
        var layer = L.geoJSON(geojson, {
          filter: function (feature) { return Object.prototype.hasOwnProperty.call(data.regions, feature.properties.kode); },
          style: function (feature) {
            var figure = data.regions[feature.properties.kode];
            var name = "national-region";
            if (figure.suppressed) {
              name += " national-suppressed";
            } else if (!figure.value) {
              name += " national-none";
            } else {
              name += " national-q" + classOf(figure.value, limits);
            }
            return { className: name, weight: 0.6 };
          },
          onEachFeature: function (feature, shape) {
            var figure = data.regions[feature.properties.kode];
            shape.bindTooltip(tooltip(figure.name + ": " + figure.text));
            shape.on("add", function () {
              var path = shape.getElement && shape.getElement();
              if (path) { path.setAttribute("data-kode", feature.properties.kode); }
            });
            drawn += 1;
          },
        }).addTo(map);
        if (drawn) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
        element.dataset.regions = String(drawn);
        var legend = document.getElementById("national-legend");
        if (legend) {
          var number = new Intl.NumberFormat(document.documentElement.lang || "id", { maximumFractionDigits: 2 });
          var parts = ["0"].concat(limits.map(function (limit) { return number.format(limit); }));
          legend.textContent = parts.join(" · ") + " — " + data.labels.metric;
        }
      });
  }

  function drawFlows(data) {
    var element = document.getElementById("national-flows");
    if (!element || typeof L === "undefined") { return; }
    var map = L.map(element, { worldCopyJump: true, minZoom: 1, maxZoom: 8 });
    map.attributionControl.setPrefix("Leaflet");
    map.attributionControl.addAttribution("Natural Earth");
    fetch(element.dataset.countriesUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (countries) {
        if (countries) {
          L.geoJSON(countries, { interactive: false, style: { className: "map-country", weight: 0.6 } })
            .addTo(map).bringToBack();
        }
      });
    var bounds = [];
    var lines = 0;
    data.lines.forEach(function (line) {
      var to = [line.to[0], line.to[1]];
      // The shorter way round: a partner in the Americas is reached across the Pacific.
      if (to[1] - line.from[1] > 180) { to[1] -= 360; } else if (line.from[1] - to[1] > 180) { to[1] += 360; }
      L.polyline([line.from, to], { className: "national-flow", weight: Math.min(1 + line.partnerships, 5) })
        .bindTooltip(tooltip(line.city + " (" + line.country + ")"))
        .addTo(map);
      L.circleMarker(to, { radius: 3, className: "national-city" }).addTo(map);
      bounds.push(line.from, to);
      lines += 1;
    });
    if (bounds.length) {
      map.fitBounds(bounds, { padding: [20, 20] });
    } else {
      map.setView([-2.5, 118], 2);
    }
    element.dataset.lines = String(lines);
  }

  function init() {
    var regions = readJSON("national-map-data");
    if (regions) { drawRegions(regions); }
    var flows = readJSON("national-flow-data");
    if (flows) { drawFlows(flows); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

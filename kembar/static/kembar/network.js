// Ego network map: country outlines from a local GeoJSON (no tile server), a
// marker per city (the city, its partners, partners of partners) and a line
// per link.  Data from the json_script "network-map-data"; colours from CSS
// classes, as the Content Security Policy allows no inline styles.
(function () {
  "use strict";

  var RADIUS = [9, 6, 4];
  // Counts in the page's language (id: 1.234; en: 1,234), not the browser's.
  var COUNT = new Intl.NumberFormat(document.documentElement.lang || "id");

  function label(node, labels) {
    // Tooltips get an element, not HTML, so that a city name is never markup.
    var element = document.createElement("span");
    element.textContent = node.name + " (" + node.country + ") — " + labels.rings[node.ring] +
      ", " + COUNT.format(node.degree) + " " + labels.partners;
    return element;
  }

  function init() {
    var element = document.getElementById("network-map");
    var dataElement = document.getElementById("network-map-data");
    if (!element || !dataElement || typeof L === "undefined") {
      return;
    }
    var data = JSON.parse(dataElement.textContent);
    var map = L.map(element, { worldCopyJump: true, minZoom: 1, maxZoom: 8 });
    // Leaflet's default prefix carries an inline-styled flag that the strict CSP refuses.
    map.attributionControl.setPrefix("Leaflet");
    map.attributionControl.addAttribution("Natural Earth");

    fetch(element.dataset.countriesUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (countries) {
        if (countries) {
          L.geoJSON(countries, {
            interactive: false,
            style: { className: "map-country", weight: 0.6 },
          }).addTo(map).bringToBack();
        }
      });

    var byId = {};
    data.nodes.forEach(function (node) { byId[node.id] = node; });

    var lines = 0;
    data.edges.forEach(function (edge) {
      var a = byId[edge[0]];
      var b = byId[edge[1]];
      if (!a || !b) {
        return;
      }
      L.polyline([[a.lat, a.lng], [b.lat, b.lng]], {
        className: "network-line network-line--" + edge[2], interactive: false,
      }).addTo(map);
      lines += 1;
    });

    var markers = 0;
    var bounds = [];
    // Outer rings first, so that the city and its partners are drawn on top.
    data.nodes.slice().sort(function (a, b) { return b.ring - a.ring; }).forEach(function (node) {
      L.circleMarker([node.lat, node.lng], {
        radius: RADIUS[node.ring],
        className: "network-marker network-marker--ring" + node.ring,
      }).bindTooltip(label(node, data.labels), {
        permanent: node.ring === 0, direction: node.ring === 0 ? "left" : "auto",
      }).addTo(map);
      markers += 1;
      bounds.push([node.lat, node.lng]);
    });

    if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [30, 30] });
    } else {
      map.setView(bounds[0] || [0, 110], 3);
    }
    element.dataset.markers = String(markers);
    element.dataset.lines = String(lines);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

// Partner-city map: country outlines from a local GeoJSON (no tile server),
// a marker per partner city, and a line from each partner to home.
(function () {
  "use strict";

  // Leaflet sets a string tooltip as HTML; an element with textContent keeps a
  // stored name (a partner city, the home region) text, whatever characters it holds.
  function text(value) {
    var element = document.createElement("span");
    element.textContent = value;
    return element;
  }

  function init() {
    var element = document.getElementById("partner-map");
    var dataElement = document.getElementById("partner-map-data");
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

    var bounds = [];
    if (data.home) {
      L.circleMarker([data.home.lat, data.home.lng], {
        radius: 8, className: "kembar-marker kembar-marker--home",
      }).bindTooltip(text(data.home.name), { permanent: true, direction: "left" }).addTo(map);
      bounds.push([data.home.lat, data.home.lng]);
    }
    data.partners.forEach(function (partner) {
      var point = [partner.lat, partner.lng];
      if (data.home) {
        L.polyline([[data.home.lat, data.home.lng], point], {
          className: "kembar-line kembar-line--" + partner.status, interactive: false,
        }).addTo(map);
      }
      L.circleMarker(point, {
        radius: 6, className: "kembar-marker kembar-marker--partner status--" + partner.status,
      })
        .bindTooltip(text(partner.name + " (" + partner.country + ") — " + partner.status_label))
        .addTo(map);
      bounds.push(point);
    });
    if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [30, 30] });
    } else {
      map.setView(bounds[0] || [0, 110], 2);
    }
    element.dataset.markers = String(data.partners.length);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

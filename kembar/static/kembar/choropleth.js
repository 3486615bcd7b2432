// What the choropleth maps share (the reach dashboard's kecamatan, the ministry's regions):
// reading the figures a page embeds with json_script, and five quantile classes.
// Load it before the script of the map: it defines window.KembarChoropleth.
(function () {
  "use strict";

  var CLASSES = 5;

  function readJSON(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  // Class breaks at quantiles of the values, so the map shows rank, not scale.
  function breaks(values) {
    var sorted = values.slice().sort(function (a, b) { return a - b; });
    var result = [];
    for (var i = 1; i < CLASSES; i += 1) {
      result.push(sorted[Math.floor((i * sorted.length) / CLASSES)]);
    }
    return result;
  }

  // The class (0 to CLASSES - 1) of a value, given the breaks.
  function classOf(value, limits) {
    var index = 0;
    while (index < limits.length && value >= limits[index]) { index += 1; }
    return index;
  }

  window.KembarChoropleth = { readJSON: readJSON, breaks: breaks, classOf: classOf };
}());

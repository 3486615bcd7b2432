// Rows of the activity forms (participants, money, travellers).
// "Add a row" copies the empty row from its <template>; "Remove" hides a row and ticks
// its removal box, so the server skips it. Without JavaScript the same buttons work by
// submitting the form: the server adds the row, the box removes it.
(function () {
  "use strict";

  function enhanceRemove(row, addButton) {
    var box = row.querySelector(".row-remove input[type='checkbox']");
    if (!box) {
      return;
    }
    var label = row.querySelector(".row-remove label");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.setAttribute("data-remove-row", "");
    // The label's own nodes: "Remove" and the visually hidden "row 3" for screen readers.
    Array.prototype.forEach.call(label.childNodes, function (node) {
      button.appendChild(node.cloneNode(true));
    });
    box.hidden = true;
    label.hidden = true;
    // A row that comes back already marked for removal (the page was refused) stays removed.
    row.hidden = box.checked;
    button.addEventListener("click", function () {
      box.checked = true;
      row.hidden = true;
      addButton.focus();
      row.closest("form").dispatchEvent(new Event("input"));
    });
    box.parentNode.appendChild(button);
  }

  function initRowSet(set) {
    var prefix = set.getAttribute("data-row-set");
    var total = set.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var template = set.querySelector("template[data-row-template]");
    var body = set.querySelector("tbody");
    var add = set.querySelector("[data-add-row]");
    if (!total || !template || !body || !add) {
      return;
    }
    // A plain button: Enter in a field then saves the form instead of adding a row.
    add.type = "button";
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var html = template.innerHTML
        .replace(/__prefix__/g, String(index))
        .replace(/__number__/g, String(index + 1));
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var row = body.lastElementChild;
      enhanceRemove(row, add);
      var first = row.querySelector("input, select, textarea");
      if (first) {
        first.focus();
      }
    });
    body.querySelectorAll("tr[data-row]").forEach(function (row) {
      enhanceRemove(row, add);
    });
  }

  // The participants page shows the rows' sums per side as they are typed, and offers
  // them as the totals (an empty total is taken from the rows).
  function initSums() {
    var output = document.getElementById("breakdown-sums");
    var form = document.getElementById("participants-form");
    if (!output || !form) {
      return;
    }
    var local = document.getElementById("id_participants_local");
    var partner = document.getElementById("id_participants_partner");
    function update() {
      var sums = { local: 0, partner: 0 };
      form.querySelectorAll("tr[data-row]").forEach(function (row) {
        var remove = row.querySelector(".row-remove input[type='checkbox']");
        var side = row.querySelector("select[name$='-side']");
        var count = row.querySelector("input[name$='-count']");
        if (row.hidden || (remove && remove.checked) || !side || !count) {
          return;
        }
        var value = parseInt(count.value, 10);
        if (value > 0 && Object.prototype.hasOwnProperty.call(sums, side.value)) {
          sums[side.value] += value;
        }
      });
      output.textContent = output.getAttribute("data-text")
        .replace("{local}", sums.local.toLocaleString(document.documentElement.lang))
        .replace("{partner}", sums.partner.toLocaleString(document.documentElement.lang));
      output.hidden = false;
      if (local) {
        local.placeholder = String(sums.local);
      }
      if (partner) {
        partner.placeholder = String(sums.partner);
      }
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  function init() {
    document.querySelectorAll("[data-row-set]").forEach(initRowSet);
    initSums();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

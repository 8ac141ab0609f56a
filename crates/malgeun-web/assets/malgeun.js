// 맑은: the pages' one script. Everything works without it; it adds live totals to form tables,
// a button that adds table rows, and dropping files onto the attachment field.
(function () {
  "use strict";

  function parseAmount(text) {
    var t = String(text || "").replace(/[,\s원]/g, "");
    if (!/^-?\d+$/.test(t)) return null;
    return parseInt(t, 10);
  }

  function format(n) {
    var s = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (n < 0 ? "-" : "") + s;
  }

  function updateTotal(table) {
    var out = table.querySelector("[data-total]");
    if (!out) return;
    var sum = 0;
    table.querySelectorAll("input[data-sum]").forEach(function (input) {
      var n = parseAmount(input.value);
      if (n !== null) sum += n;
    });
    out.textContent = format(sum);
  }

  function renumber(table) {
    table.querySelectorAll("tbody tr[data-row]").forEach(function (tr, i) {
      var cell = tr.querySelector("[data-row-number]");
      if (cell) cell.textContent = String(i + 1);
      tr.querySelectorAll("input, select").forEach(function (el) {
        el.name = el.name.replace(/^(t\.[^.]+\.)\d+(\.)/, "$1" + i + "$2");
        var label = el.getAttribute("aria-label");
        if (label) el.setAttribute("aria-label", label.replace(/^\d+행/, (i + 1) + "행"));
      });
    });
  }

  function addRow(table) {
    var rows = table.querySelectorAll("tbody tr[data-row]");
    if (!rows.length) return;
    var copy = rows[rows.length - 1].cloneNode(true);
    copy.querySelectorAll("input").forEach(function (el) { el.value = ""; });
    copy.querySelectorAll("select").forEach(function (el) { el.selectedIndex = 0; });
    table.querySelector("tbody").appendChild(copy);
    renumber(table);
    var first = copy.querySelector("input, select");
    if (first) first.focus();
  }

  function setUp(root) {
    root.querySelectorAll("table[data-table]").forEach(function (table) {
      if (table.dataset.ready) return;
      table.dataset.ready = "1";
      table.addEventListener("input", function () { updateTotal(table); });
      updateTotal(table);
      var wrap = table.closest(".table-wrap");
      var button = wrap && wrap.nextElementSibling;
      if (button && button.hasAttribute("data-add-row")) {
        button.hidden = false;
        button.addEventListener("click", function () { addRow(table); });
      }
    });
    root.querySelectorAll("[data-dropzone]").forEach(function (zone) {
      if (zone.dataset.ready) return;
      zone.dataset.ready = "1";
      var input = zone.querySelector("input[type=file]");
      zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("over"); });
      zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
      zone.addEventListener("drop", function (e) {
        e.preventDefault();
        zone.classList.remove("over");
        if (input && e.dataTransfer && e.dataTransfer.files.length) input.files = e.dataTransfer.files;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (e) { setUp(e.target); });
})();

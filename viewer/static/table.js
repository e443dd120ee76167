// The table page: virtual scrolling over rows fetched on demand (in the order the heading sorted them),
// columns hidden and shown, a click on a row opens its line in the document, Copy as TSV.
(function () {
  "use strict";
  var main = document.getElementById("table-view");
  if (!main) return;
  var docId = main.dataset.doc, path = main.dataset.path, total = +main.dataset.total;
  var sort = main.dataset.sort, dir = main.dataset.dir;
  var scroller = document.getElementById("table-scroller");
  var spacer = document.getElementById("table-spacer");
  var tbody = document.getElementById("table-rows");
  var thead = document.querySelector("#table thead");
  var MAX_PX = 8000000; // browsers cap element heights; past this the scrollbar maps rows proportionally
  var BLOCK = 200;
  var rows = new Map(); // row number -> <tr>
  var asked = new Set(); // blocks asked for
  var rowHeight = 23, shownFirst = -1;

  function $(id) { return document.getElementById(id); }

  function adopt(container) {
    Array.prototype.slice.call(container.querySelectorAll("tr")).forEach(function (tr) {
      rows.set(+tr.dataset.row, tr);
      dateHints(tr);
    });
  }

  function query(extra) {
    var params = new URLSearchParams({ path: path });
    if (sort) { params.set("sort", sort); params.set("dir", dir); }
    // Columns asked for by name in the page's address are asked for with every block of rows too.
    new URLSearchParams(location.search).getAll("column").forEach(function (name) { params.append("column", name); });
    Object.keys(extra || {}).forEach(function (k) { params.set(k, extra[k]); });
    return params.toString();
  }

  function visibleCount() { return Math.max(1, Math.ceil((scroller.clientHeight - thead.offsetHeight) / rowHeight)); }

  function layout() {
    var height = Math.min(total * rowHeight + thead.offsetHeight, MAX_PX);
    spacer.style.height = Math.max(height, scroller.clientHeight) + "px";
  }

  function firstRow() {
    var room = spacer.offsetHeight - scroller.clientHeight, count = visibleCount();
    if (room <= 0) return 0;
    var last = Math.max(0, total - count);
    return Math.min(last, Math.round(scroller.scrollTop / room * last));
  }

  function render() {
    var first = firstRow(), count = Math.min(visibleCount() + 1, total - first), missing = false;
    var wanted = [];
    for (var row = first; row < first + count; row++) {
      if (!rows.has(row)) { missing = true; need(row); } else wanted.push(rows.get(row));
    }
    if (missing || first === shownFirst && tbody.children.length === wanted.length) return;
    shownFirst = first;
    tbody.replaceChildren.apply(tbody, wanted);
    main.dataset.first = first;
  }

  function need(row) {
    var block = Math.floor(row / BLOCK) * BLOCK;
    if (asked.has(block)) return;
    asked.add(block);
    fetch("/docs/" + docId + "/table/rows?" + query({ start: block, count: BLOCK }))
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (data) {
        var box = document.createElement("tbody");
        box.innerHTML = data.html;
        adopt(box);
        if (rows.size > 20000) forgetFar();
        render();
      })
      .catch(function (error) { asked.delete(block); $("table-status").textContent = "Could not load rows: " + error.message; });
  }

  function forgetFar() {
    var first = firstRow();
    rows.forEach(function (_, row) { if (Math.abs(row - first) > 5000) rows.delete(row); });
    asked.forEach(function (block) { if (Math.abs(block - first) > 5000) asked.delete(block); });
  }

  // A click on a row opens the document at the element's line.
  tbody.addEventListener("click", function (event) {
    if (event.target.closest("a")) return; // a link in a cell goes where it says
    var tr = event.target.closest("tr");
    if (tr) location.href = "/docs/" + docId + "#L" + (+tr.dataset.line + 1);
  });

  // Hidden columns: a rule per column in a stylesheet of this page's own.
  var sheet = new CSSStyleSheet();
  document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
  function hiddenColumns() {
    return Array.prototype.slice.call(document.querySelectorAll("#column-picker input"))
      .filter(function (box) { return !box.checked; }).map(function (box) { return +box.dataset.col; });
  }
  function applyHidden() {
    var rules = hiddenColumns().map(function (col) {
      return "#table tr > :nth-child(" + (col + 1) + ") { display: none; }";
    });
    sheet.replaceSync(rules.join("\n"));
  }
  document.querySelectorAll("#column-picker input").forEach(function (box) { box.addEventListener("change", applyHidden); });

  // Copy as TSV: the shown columns of every row, guarded against formulas like Download CSV.
  $("copy-tsv").addEventListener("click", function () {
    var hidden = new Set(hiddenColumns()), params = new URLSearchParams({ path: path, tsv: "1" });
    document.querySelectorAll("#table thead th[data-column]").forEach(function (th, i) {
      if (!hidden.has(i + 1)) params.append("column", th.dataset.column);
    });
    fetch("/docs/" + docId + "/table.csv?" + params.toString())
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
      .then(function (text) {
        main.dataset.copied = text;
        return navigator.clipboard && window.isSecureContext ? navigator.clipboard.writeText(text) : fallbackCopy(text);
      })
      .then(function () { $("table-status").textContent = "Copied " + total.toLocaleString() + " rows as TSV"; },
            function (error) { $("table-status").textContent = "Could not copy: " + error.message; });
  });

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }

  // ISO timestamps and epoch numbers show a local date on hover, as in the document view.
  var ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))$/;
  function localDate(text) {
    var ms = null;
    if (ISO.test(text)) ms = Date.parse(text);
    else if (/^\d{10}$/.test(text)) ms = +text * 1000;
    else if (/^\d{13}$/.test(text)) ms = +text;
    if (ms === null || isNaN(ms) || ms < 978307200000 || ms > 4102444800000) return null;
    return new Date(ms).toLocaleString() + " (local time)";
  }
  function dateHints(tr) {
    tr.querySelectorAll("td.s, td.mi").forEach(function (td) {
      var hint = localDate(td.textContent);
      if (hint) { td.title = hint; td.classList.add("date"); }
    });
  }

  adopt(tbody);
  var sample = tbody.querySelector("tr");
  if (sample && sample.getBoundingClientRect().height) rowHeight = sample.getBoundingClientRect().height;
  layout();
  render();
  scroller.addEventListener("scroll", function () { window.requestAnimationFrame(render); }, { passive: true });
  window.addEventListener("resize", function () { layout(); render(); });
  main.dataset.ready = "1";
})();

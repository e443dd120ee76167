// The document page: virtual scrolling over rows fetched on demand, folding, find, and paths.
// Only the rows on screen exist in the page; the server knows the document and the fold state
// travels with each request as a mode and its exceptions.
(function () {
  "use strict";
  var main = document.getElementById("viewer");
  if (!main) return;
  var docId = main.dataset.doc;
  var scroller = document.getElementById("scroller");
  var spacer = document.getElementById("spacer");
  var rowsBox = document.getElementById("rows");
  var MAX_PX = 8000000; // browsers cap element heights; past this the scrollbar maps rows proportionally
  var BATCH = 300;

  var state = { collapsed: false, exceptions: new Set(), total: +main.dataset.total, version: 0 };
  var cache = new Map(); // row number -> row element, for the current fold state and find text
  var stale = new Map(); // rows of the text found before, shown unmarked until their new ones arrive
  var inflight = new Set();
  var rowHeight = 18, scaled = false;
  // The hit of find is its byte offset: rows come with each hit marked (<mark data-first data-last>, the
  // offsets of the hits it belongs to), and a long line cut before the current hit comes as a window on it.
  var selectedLine = null, hit = null, query = "", counted = null, hitNote = "";
  var onlyMatches = false; // "Only matches": rows are the lines with a hit and the lines that hold them
  var matchFolds = new Set(); // openers folded in Only matches mode, whose rows start unfolded each time

  function $(id) { return document.getElementById(id); }

  function adopt(container) {
    Array.prototype.slice.call(container.children).forEach(function (el) {
      cache.set(+el.dataset.row, el);
    });
  }

  // Wrapping: rows are as tall as their text needs. Each row shown is measured; a row not measured yet
  // counts one line. A row's place is its number of lines plus what the measured rows above it add.
  var wrapping = false, heights = new Map(), measured = { rows: [], extra: [] }, anchor = null;
  var MAX_MEASURED = 20000;

  function rowSize(row) { return heights.get(row) || rowHeight; }

  function extraBefore(row) {
    var rows = measured.rows, lo = 0, hi = rows.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (rows[mid] < row) lo = mid + 1; else hi = mid; }
    return lo ? measured.extra[lo - 1] : 0;
  }

  function rowTop(row) { return row * rowHeight + extraBefore(row); }

  function rowAt(y) {
    if (!heights.size) return Math.floor(y / rowHeight);
    var lo = 0, hi = Math.max(0, state.total - 1);
    while (lo < hi) { var mid = Math.floor((lo + hi + 1) / 2); if (rowTop(mid) <= y) lo = mid; else hi = mid - 1; }
    return lo;
  }

  function reindexHeights() {
    var rows = Array.from(heights.keys()).sort(function (a, b) { return a - b; }), sum = 0;
    measured = { rows: rows, extra: rows.map(function (row) { sum += heights.get(row) - rowHeight; return sum; }) };
  }

  // The first row whose top is on screen: what stays put when rows above it turn out taller or shorter.
  function topmostWhole() {
    var row = firstRow();
    return rowTop(row) < scroller.scrollTop ? row + 1 : row;
  }

  function forgetHeights() { heights.clear(); reindexHeights(); anchor = null; }

  // Measure the rows just shown. When rows above the topmost whole row of the last rendering changed (as
  // when scrolling up into rows not measured before), the page scrolls by as much: what was on screen
  // stays where it was.
  function measure(nodes, first, last) {
    var changed = false;
    nodes.forEach(function (el) {
      if (el.classList.contains("pending")) return;
      var row = +el.dataset.row, height = el.getBoundingClientRect().height;
      if (Math.abs(height - rowSize(row)) < 0.5) return;
      if (height <= rowHeight + 0.5) heights.delete(row); else heights.set(row, height);
      changed = true;
    });
    if (!changed) return;
    var kept = anchor !== null && anchor > first && anchor <= last ? anchor : null;
    var before = kept === null ? 0 : rowTop(kept);
    if (heights.size > MAX_MEASURED) {
      heights.forEach(function (_, row) { if (row < first - 1000 || row > last + 1000) heights.delete(row); });
    }
    reindexHeights();
    layout();
    if (kept !== null && !scaled && rowTop(kept) !== before) scroller.scrollTop += rowTop(kept) - before;
  }

  function layout() {
    var height = rowTop(state.total);
    scaled = height > MAX_PX;
    spacer.style.height = (scaled ? MAX_PX : height) + "px";
  }

  function viewRows() { return Math.max(1, Math.ceil(scroller.clientHeight / rowHeight)); }

  function maxFirst() { return Math.max(0, state.total - viewRows() + 1); }

  function firstRow() {
    if (!scaled) return Math.min(rowAt(scroller.scrollTop), Math.max(0, state.total - 1));
    var room = scroller.scrollHeight - scroller.clientHeight;
    return Math.min(maxFirst(), Math.round((room > 0 ? Math.min(1, scroller.scrollTop / (room - 1)) : 0) * maxFirst()));
  }

  function scrollToFirst(first) {
    first = Math.max(0, Math.min(first, maxFirst()));
    if (!scaled) scroller.scrollTop = rowTop(first);
    else scroller.scrollTop = (maxFirst() ? first / maxFirst() : 0) * (scroller.scrollHeight - scroller.clientHeight);
    render();
  }

  function placeholder(row) {
    var el = document.createElement("div");
    el.className = "row pending";
    el.dataset.row = row;
    el.innerHTML = '<span class="ln"></span><span class="tg"></span><span class="code"></span>';
    return el;
  }

  function render() {
    var first = firstRow();
    var last = Math.min(state.total - 1, first + viewRows());
    rowsBox.style.top = (scaled ? scroller.scrollTop : rowTop(first)) + "px";
    var nodes = [], missing = -1;
    for (var row = first; row <= last; row++) {
      var el = cache.get(row);
      if (!el) { el = stale.get(row) || placeholder(row); if (missing < 0) missing = row; }
      decorate(el);
      nodes.push(el);
    }
    rowsBox.replaceChildren.apply(rowsBox, nodes);
    if (wrapping) { measure(nodes, first, last); anchor = topmostWhole(); }
    if (missing >= 0) load(Math.max(0, missing - 50));
    else if (last + 1 < state.total && !cache.has(Math.min(state.total - 1, last + 60))) load(last + 1);
    else if (first > 0 && !cache.has(Math.max(0, first - 60))) load(Math.max(0, first - BATCH));
  }

  function params(extra) {
    var p = new URLSearchParams(extra);
    p.set("mode", state.collapsed ? "c" : "e");
    if (state.exceptions.size) p.set("x", Array.from(state.exceptions).join(","));
    if (query) p.set("q", query);
    if (onlyMatches && query) p.set("only", "1");
    if (onlyMatches && query && matchFolds.size) p.set("mf", Array.from(matchFolds).join(","));
    if (hit) p.set("at", hit.offset);
    return p;
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error(body.error || ("HTTP " + res.status));
        return body;
      });
    });
  }

  function store(data) {
    var box = document.createElement("div");
    box.innerHTML = data.html;
    adopt(box);
    if (cache.size > 6000) {
      var first = firstRow();
      cache.forEach(function (_, row) { if (Math.abs(row - first) > 2000) cache.delete(row); });
    }
    if (state.total !== data.total) { state.total = data.total; layout(); }
  }

  function load(start) {
    var key = state.version + ":" + start;
    if (inflight.has(key)) return;
    inflight.add(key);
    var version = state.version;
    getJSON("/docs/" + docId + "/rows?" + params({ start: start, count: BATCH })).then(function (data) {
      inflight.delete(key);
      if (version !== state.version) return;
      store(data);
      render();
    }, function (err) { inflight.delete(key); status("find-status", err.message); });
  }

  // Show `line` with `before` rows above it, after the fold state changed. Only the last line asked for
  // is scrolled to: answers can arrive out of order when next is pressed quickly.
  var shownAsked = 0;
  function showLine(line, before) {
    var version = state.version, asked = ++shownAsked;
    return getJSON("/docs/" + docId + "/rows?" + params({ line: line, before: Math.max(0, before), count: BATCH }))
      .then(function (data) {
        // The rows changed meanwhile (a find's count came in and remarks them): these are stale, but the
        // line must still be shown, so ask again, unless another line was asked for since.
        if (version !== state.version) return asked === shownAsked ? showLine(line, before) : undefined;
        store(data);
        if (asked !== shownAsked) { render(); return; }
        scrollToFirst(data.row - before);
        if (wrapping) keepOnScreen(data.row); // the rows above it may have wrapped to many lines
      });
  }

  // Rows asked for before now are of another fold state or find text: drop them (or, with `keepShown`,
  // show them until their new ones arrive: the same lines, only marked otherwise).
  function forgetRows(keepShown) {
    state.version++;
    if (!keepShown) forgetHeights(); // the rows are other lines now
    stale = keepShown ? cache : new Map();
    cache = new Map();
    inflight.clear();
  }

  function unmarked(rows) {
    rows.forEach(function (el) {
      el.querySelectorAll("mark").forEach(function (m) { m.replaceWith(m.textContent); });
    });
    return rows;
  }

  function refold(change, keepLine, before) {
    change();
    saveFolds();
    forgetRows(false);
    return showLine(keepLine, before);
  }

  function topLine() {
    var el = cache.get(firstRow());
    return el ? +el.dataset.line : 0;
  }

  function toggle(line, row) {
    var before = row - firstRow();
    refold(function () {
      var folds = onlyMatches ? matchFolds : state.exceptions;
      if (folds.has(line)) folds.delete(line); else folds.add(line);
    }, line, before);
  }

  function setAll(collapsed) {
    var keep = collapsed ? 0 : topLine();
    if (onlyMatches) { // the matches' own folds: all open, or the root folded over them
      refold(function () { matchFolds = new Set(collapsed ? [0] : []); }, keep, 0);
      return;
    }
    refold(function () { state.collapsed = collapsed; state.exceptions = new Set(); }, keep, 0);
  }

  // Collapse everything deeper than `levels`: collapsed mode, with the shallower openers as exceptions.
  function collapseToDepth(levels) {
    var said = $("depth-status");
    getJSON("/docs/" + docId + "/depth?depth=" + levels).then(function (data) {
      said.hidden = true;
      said.textContent = "";
      refold(function () { state.collapsed = true; state.exceptions = new Set(data.open); }, 0, 0);
    }, function (err) { said.textContent = err.message; said.hidden = false; }); // whole, on its own line
  }

  // Make `lines` (openers) unfolded.
  function reveal(lines) {
    var changed = false;
    lines.forEach(function (line) {
      if (onlyMatches && matchFolds.delete(line)) changed = true;
      var folded = state.collapsed !== state.exceptions.has(line);
      if (!folded) return;
      if (state.collapsed) state.exceptions.add(line); else state.exceptions.delete(line);
      changed = true;
    });
    return changed;
  }

  function goToLine(line, openers) {
    var around = Math.floor(viewRows() / 3);
    if (reveal(openers || [])) { saveFolds(); forgetRows(false); }
    return showLine(line, around);
  }

  // Fold state kept per document across reloads; a browser that refuses storage just forgets it.
  var FOLDS_KEY = "viewer.folds." + docId;

  function saveFolds() {
    try {
      localStorage.setItem(FOLDS_KEY, JSON.stringify({ collapsed: state.collapsed, x: Array.from(state.exceptions) }));
    } catch (e) { /* storage full or refused */ }
  }

  function savedFolds() {
    try {
      var saved = JSON.parse(localStorage.getItem(FOLDS_KEY) || "null");
      if (saved && typeof saved.collapsed === "boolean" && Array.isArray(saved.x)) return saved;
    } catch (e) { /* unreadable: start unfolded */ }
    return null;
  }

  // Decoration: the selected row, and the marks of the current find hit (on each line it covers).
  function decorate(el) {
    var line = +el.dataset.line, current = false;
    el.classList.toggle("selected", el.dataset.line !== undefined && line === selectedLine);
    if (el.classList.contains("pending")) return;
    if (!el.dataset.dated) { dateHints(el); el.dataset.dated = "1"; }
    el.querySelectorAll("mark").forEach(function (m) {
      var mine = hit !== null && +m.dataset.first <= hit.offset && hit.offset <= +m.dataset.last;
      m.classList.toggle("current", mine);
      current = current || mine;
    });
    el.classList.toggle("hit", current);
  }

  // The current hit's marks brought into view sideways: a window on a long line is wider than the screen.
  function showCurrentMark() {
    var mark = rowsBox.querySelector("mark.current");
    if (!mark) return;
    var box = scroller.getBoundingClientRect(), rect = mark.getBoundingClientRect();
    if (rect.top < box.top || rect.bottom > box.bottom) { // inside a row of many wrapped lines
      scroller.scrollTop += rect.top - box.top - box.height / 3;
      render();
      rect = mark.getBoundingClientRect();
    }
    if (rect.left >= box.left && rect.right <= box.right - 20) return;
    scroller.scrollLeft = Math.max(0, scroller.scrollLeft + rect.left - box.left - box.width / 3);
  }

  // ISO 8601 date-times of any year (0001-9999) show a local date on hover; one without an offset is read as
  // local time and its hover says so. A date alone is not a moment and gets none. Epoch numbers (seconds or
  // milliseconds) only from 2001 to 2100: other numbers are too often counts.
  var ISO = /^"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?"$/;

  function isoMoment(m) {
    var f = m.slice(1, 7).map(function (x) { return +(x || 0); });
    if (f[0] < 1 || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 24 || f[4] > 59 || f[5] > 60) return null;
    var ms = m[7] ? Math.floor(+("0." + m[7]) * 1000) : 0, date;
    if (m[8]) {
      date = new Date(Date.UTC(2000, f[1] - 1, f[2], f[3], f[4], f[5], ms));
      date.setUTCFullYear(f[0]); // Date.UTC reads years 0-99 as 1900-1999
      if (m[8] !== "Z") {
        var sign = m[8][0] === "-" ? -1 : 1, off = m[8].slice(1).replace(":", "");
        date = new Date(date.getTime() - sign * (+off.slice(0, 2) * 60 + +(off.slice(2) || 0)) * 60000);
      }
    } else {
      date = new Date(2000, f[1] - 1, f[2], f[3], f[4], f[5], ms);
      date.setFullYear(f[0]);
    }
    return isNaN(date.getTime()) || f[2] > daysIn(f[0], f[1]) ? null : date;
  }

  function daysIn(year, month) {
    var leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].indexOf(month) >= 0 ? 30 : 31;
  }

  function shown(date) { return date.toLocaleString(); }

  function localDate(text) {
    var iso = ISO.exec(text), ms = null;
    if (iso) {
      var date = isoMoment(iso);
      if (!date) return null;
      return shown(date) + (iso[8] ? " (local time)" : " (no offset given: read as local time)");
    }
    if (/^\d{10}$/.test(text)) ms = +text * 1000;
    else if (/^\d{13}$/.test(text)) ms = +text;
    if (ms === null || ms < 978307200000 || ms > 4102444800000) return null;
    return shown(new Date(ms)) + " (local time)";
  }

  function dateHints(el) {
    el.querySelectorAll(".code .s2, .code .mi").forEach(function (token) {
      var hint = localDate(token.textContent);
      if (hint) { token.title = hint; token.classList.add("date"); }
    });
  }

  function status(id, text) { $(id).textContent = text; }

  function setQuery(text) {
    if (text === query) return;
    query = text;
    hit = null;
    counted = null;
    forgetRows(true); // every row's marks change; the rows on screen stay, unmarked, until they come again
    unmarked(stale);
  }

  // One search at a time: Enter pressed twice quickly steps twice, each step from the hit before it.
  var finding = Promise.resolve(), findAsked = 0;
  function find(backwards) {
    var step = function () { return findNow(backwards); };
    finding = finding.then(step, step);
  }

  function findNow(backwards) {
    var text = $("find").value;
    if (!text) { setQuery(""); status("find-status", ""); render(); return; }
    var fresh = text !== query;
    var from = fresh || hit === null ? -1 : hit.offset; // -1: from the start, or from the end backwards
    setQuery(text);
    var p = new URLSearchParams({ q: text, at: from, dir: backwards ? "prev" : "next" });
    status("find-status", "finding…");
    var asked = ++findAsked;
    return getJSON("/docs/" + docId + "/search?" + p).then(function (data) {
      if (text !== $("find").value || text !== query || asked !== findAsked) return;
      if (data.offset === null) { hit = null; status("find-status", "no match"); render(); return; }
      hit = { offset: data.offset, line: data.line };
      selectedLine = data.line; // the path bar follows the current hit
      rowsBox.querySelectorAll(".row").forEach(decorate); // the status and the marks change together
      linkToLine(data.line);
      showPath(data.line);
      hitNote = data.ordinal ? ordinalText(data) : "line " + (data.line + 1);
      showFindStatus();
      var shown = goToLine(data.line, data.reveal).then(showCurrentMark);
      if (counted === null) {
        counted = "";
        // Counted once the hit is on screen: the count reads the whole document and would delay its rows.
        var countHits = function () {
          var at = hit ? hit.offset : -1;
          getJSON("/docs/" + docId + "/count?" + new URLSearchParams({ q: text, at: at })).then(function (c) {
            if (c.q !== query || c.count === null) return; // null: a newer search stopped it
            if (c.ordinal && c.of && hit && hit.offset === at) hitNote = ordinalText(c);
            counted = c.of ? "" : c.count === 1 ? "1 match" : c.count.toLocaleString("en") + " matches";
            showFindStatus();
            // Every hit is known now: rows marked before it, in a long run of text like 0,0,0,… where the
            // server could not see far enough back, are asked for again and agree with the count.
            if (c.of) { forgetRows(true); render(); }
          });
        };
        shown.then(countHits, countHits);
      }
    }, function (err) { status("find-status", err.message); });
  }

  // "n of N" counts every hit, overlapping ones too, which is what next and previous step through.
  function ordinalText(data) {
    return data.ordinal.toLocaleString("en") + " of " + data.of.toLocaleString("en");
  }

  function showFindStatus() { status("find-status", hitNote + (counted ? " · " + counted : "")); }

  var typing = null;
  function findAsYouType() {
    window.clearTimeout(typing);
    typing = window.setTimeout(function () { if ($("find").value !== query) find(false); }, 250);
  }

  function select(line) {
    selectedLine = line;
    rowsBox.querySelectorAll(".row").forEach(decorate);
    linkToLine(line);
    showPath(line);
  }

  // The address always links to the selected line: /docs/<id>#L23.
  function linkToLine(line) {
    history.replaceState(null, "", location.pathname + location.search.replace(/([?&])line=\d+&?/, "$1").replace(/[?&]$/, "") + "#L" + (line + 1));
  }

  var pathAsked = 0;
  function showPath(line) {
    var asked = ++pathAsked;
    getJSON("/docs/" + docId + "/path?line=" + line).then(function (data) {
      if (asked !== pathAsked) return; // the keyboard moved on meanwhile
      $("copy-value").disabled = false;
      $("copy-link").disabled = false;
      $("path-js").textContent = data.javascript || "(the whole document)";
      $("path-js").dataset.value = data.javascript;
      $("path-pointer").textContent = data.pointer || "(empty pointer: the whole document)";
      $("path-pointer").dataset.value = data.pointer;
      $("path-jq").textContent = data.jq;
      $("path-jq").dataset.value = data.jq;
      $("copy-js").disabled = false;
      $("copy-jq").disabled = false;
      $("copy-pointer").disabled = false;
      // A repeated key: every path through its earlier copy reads the last copy instead.
      var note = $("path-note"), over = data.overridden;
      note.hidden = !over;
      note.textContent = over ? "⚠ " + over.javascript + " is written again on line " + (over.line + 1) +
        ": jq and JavaScript read that last copy, not this one" : "";
      // query.js and table.js offer the selected value's jq path and its table.
      document.dispatchEvent(new CustomEvent("viewer:path", { detail: data }));
    });
  }

  function copyText(text, what) {
    var done = function () { status("copy-status", "Copied " + what); main.dataset.copied = text; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else { fallbackCopy(text); done(); }
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    area.remove();
  }

  // Keyboard: Up/Down move the selection a row, Left folds (or goes to the parent), Right unfolds,
  // Enter or Space on a folder toggles it; Home/End, PageUp/PageDown move further.
  function rowOf(line) {
    var found = null;
    cache.forEach(function (el, row) { if (+el.dataset.line === line) found = row; });
    return found;
  }

  function keepOnScreen(row) {
    if (wrapping && !scaled) { // rows of many lines: by their measured place and height
      var top = rowTop(row), bottom = top + rowSize(row), view = scroller.clientHeight;
      if (top < scroller.scrollTop) scroller.scrollTop = top;
      else if (bottom > scroller.scrollTop + view) scroller.scrollTop = Math.min(top, bottom - view);
      render();
      return;
    }
    var first = firstRow(), rows = viewRows();
    if (row < first) scrollToFirst(row);
    else if (row > first + rows - 2) scrollToFirst(row - rows + 2);
  }

  function moveTo(row) {
    row = Math.max(0, Math.min(state.total - 1, row));
    var el = cache.get(row);
    if (!el) { keepOnScreen(row); return; } // not arrived yet: the next key press finds it
    keepOnScreen(row);
    select(+el.dataset.line);
  }

  function onRowKey(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var row = selectedLine === null ? null : rowOf(selectedLine);
    var el = row === null ? null : cache.get(row);
    var step = { ArrowDown: 1, ArrowUp: -1, PageDown: viewRows() - 1, PageUp: 1 - viewRows() }[event.key];
    if (step !== undefined) { moveTo(row === null ? firstRow() : row + step); }
    else if (event.key === "Home") { scrollToFirst(0); moveTo(0); }
    else if (event.key === "End") { scrollToFirst(maxFirst()); moveTo(state.total - 1); }
    else if (el && event.key === "ArrowLeft" && el.classList.contains("open")) toggle(selectedLine, row);
    else if (el && event.key === "ArrowLeft") goToParent(selectedLine);
    else if (el && event.key === "ArrowRight" && el.classList.contains("folded")) toggle(selectedLine, row);
    else if (el && (event.key === "Enter" || event.key === " ")) {
      if (el.classList.contains("open") || el.classList.contains("folded")) toggle(selectedLine, row);
      else select(selectedLine);
    } else if (event.key === "Enter" && row === null) moveTo(firstRow());
    else return;
    event.preventDefault();
  }

  function goToParent(line) {
    getJSON("/docs/" + docId + "/path?line=" + line).then(function (data) {
      var parent = data.reveal.filter(function (l) { return l !== line; }).pop();
      if (parent === undefined) return;
      var row = rowOf(parent);
      if (row !== null) { keepOnScreen(row); select(parent); }
      else goToLine(parent, []).then(function () { select(parent); });
    });
  }

  // Permalinks: /docs/<id>#L23 or ?line=23 open on that line, selected.
  function linkedLine() {
    var hash = /^#L(\d+)$/.exec(location.hash);
    var asked = hash ? hash[1] : new URLSearchParams(location.search).get("line");
    var line = asked && /^\d+$/.test(asked) ? +asked - 1 : null;
    return line !== null && line >= 0 && line < +main.dataset.lines ? line : null;
  }

  // A #L<line> typed into the address bar of the open page moves the selection there too.
  window.addEventListener("hashchange", function () {
    if (!/^#L\d+$/.test(location.hash)) return;
    var line = linkedLine();
    if (line !== null) openLinkedLine(line);
  });

  function openLinkedLine(line) {
    return getJSON("/docs/" + docId + "/path?line=" + line).then(function (data) {
      return goToLine(line, data.reveal).then(function () { select(line); scroller.focus(); });
    });
  }

  function copyValue() {
    if (selectedLine === null) return;
    fetch("/docs/" + docId + "/value?line=" + selectedLine).then(function (r) { return r.text(); })
      .then(function (text) { copyText(text, "the value"); });
  }

  scroller.addEventListener("keydown", onRowKey);

  rowsBox.addEventListener("click", function (event) {
    var rowEl = event.target.closest(".row");
    if (!rowEl || rowEl.classList.contains("pending") || event.target.closest("a")) return;
    var line = +rowEl.dataset.line;
    if (event.target.closest(".tg, .summary")) {
      if (rowEl.classList.contains("open") || rowEl.classList.contains("folded")) toggle(line, +rowEl.dataset.row);
      return;
    }
    select(line);
  });

  document.addEventListener("click", function (event) {
    var go = event.target.closest("a.goto");
    if (!go) return;
    event.preventDefault();
    goToLine(+go.dataset.line, []);
  });

  $("collapse-all").addEventListener("click", function () { setAll(true); });
  $("expand-all").addEventListener("click", function () { setAll(false); });
  $("go-top").addEventListener("click", function () { scrollToFirst(0); });
  $("go-end").addEventListener("click", function () { scrollToFirst(maxFirst()); });
  $("find-next").addEventListener("click", function () { find(false); });
  $("find-prev").addEventListener("click", function () { find(true); });
  $("find").addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); find(event.shiftKey); }
    if (event.key === "Escape") { $("find").value = ""; find(false); }
  });
  $("find").addEventListener("input", findAsYouType);
  $("collapse-depth").addEventListener("change", function () {
    var levels = $("collapse-depth").value;
    $("collapse-depth").value = "";
    if (levels) collapseToDepth(+levels);
  });
  $("copy-value").addEventListener("click", copyValue);
  $("copy-link").addEventListener("click", function () { copyText(location.href, "link to this line"); });
  $("copy-js").addEventListener("click", function () { copyText($("path-js").dataset.value, "JavaScript path"); });
  $("copy-jq").addEventListener("click", function () { copyText($("path-jq").dataset.value, "jq path"); });
  $("copy-pointer").addEventListener("click", function () { copyText($("path-pointer").dataset.value, "JSON Pointer"); });
  $("copy-doc").addEventListener("click", function () {
    fetch($("copy-doc").dataset.src).then(function (r) { return r.text(); })
      .then(function (text) { copyText(text, "the document"); });
  });
  document.addEventListener("keydown", function (event) {
    // The browser's own find sees only the rows on screen; ours searches the whole document.
    if ((event.ctrlKey || event.metaKey) && event.key === "f") { event.preventDefault(); $("find").focus(); $("find").select(); }
  });
  scroller.addEventListener("scroll", function () { window.requestAnimationFrame(render); }, { passive: true });
  window.addEventListener("resize", function () {
    if (!wrapping) { layout(); render(); return; }
    var first = firstRow(); // a new width wraps every row anew: measure again from the same row
    forgetHeights();
    layout();
    scrollToFirst(first);
  });

  // The wrap toggle, remembered for every document.
  function setWrap(on) {
    var first = firstRow();
    wrapping = on;
    main.classList.toggle("wrap", on);
    $("wrap").setAttribute("aria-pressed", on ? "true" : "false");
    try { localStorage.setItem("viewer.wrap", on ? "1" : ""); } catch (e) { /* storage refused */ }
    forgetHeights();
    layout();
    scroller.scrollLeft = 0;
    scrollToFirst(first);
  }

  $("wrap").addEventListener("click", function () { setWrap(!wrapping); });

  // Only matches, on and off: the rows change, the line of the current hit (or the selected one) stays in view.
  function setOnlyMatches(on) {
    var line = hit ? hit.line : selectedLine !== null ? selectedLine : topLine();
    onlyMatches = on;
    matchFolds = new Set();
    main.classList.toggle("only-matches", on);
    $("only-matches").setAttribute("aria-pressed", on ? "true" : "false");
    forgetRows(false);
    showLine(line, Math.floor(viewRows() / 3)).then(function () { if (selectedLine !== null) select(selectedLine); },
      function (err) { status("find-status", err.message); });
  }

  $("only-matches").addEventListener("click", function () { setOnlyMatches(!onlyMatches); });

  adopt(rowsBox);
  var sample = rowsBox.querySelector(".row");
  if (sample && sample.getBoundingClientRect().height) rowHeight = sample.getBoundingClientRect().height;
  layout();
  render();
  try { if (localStorage.getItem("viewer.wrap")) setWrap(true); } catch (e) { /* storage refused */ }
  startOnSavedState().then(function () { main.dataset.ready = "1"; }, function () { main.dataset.ready = "1"; });

  function startOnSavedState() {
    var saved = savedFolds(), line = linkedLine(), waits = Promise.resolve();
    if (saved && (saved.collapsed || saved.x.length)) {
      waits = refold(function () { state.collapsed = saved.collapsed; state.exceptions = new Set(saved.x); }, 0, 0);
    }
    return line === null ? waits : waits.then(function () { return openLinkedLine(line); });
  }
})();

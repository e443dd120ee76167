// The Filter box: the programs last run (kept in this browser), and "Filter here" for the selected value.
(function () {
  "use strict";
  var form = document.getElementById("filter");
  if (!form) return;
  var input = document.getElementById("jq-program");
  var list = document.getElementById("jq-programs");
  var KEY = "viewer.jq.recent", KEEP = 12;

  function recent() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }

  function remember(program) {
    var kept = recent().filter(function (p) { return p !== program; });
    kept.unshift(program);
    try { localStorage.setItem(KEY, JSON.stringify(kept.slice(0, KEEP))); } catch (e) { /* storage refused */ }
  }

  // The last programs first, then the examples already in the list.
  var first = list.firstChild;
  recent().forEach(function (program) {
    var option = document.createElement("option");
    option.value = program;
    option.textContent = "used lately";
    option.className = "recent";
    list.insertBefore(option, first);
  });

  form.addEventListener("submit", function (event) {
    var program = input.value.trim();
    if (!program) { event.preventDefault(); input.focus(); return; }
    remember(program);
    form.classList.add("running");
    document.getElementById("jq-run").textContent = "Running…";
  });

  // The selected value's jq path (viewer.js says which value is selected).
  var here = document.getElementById("filter-here"), table = document.getElementById("table-here");
  var viewer = document.getElementById("viewer");
  document.addEventListener("viewer:path", function (event) {
    var data = event.detail;
    if (here) {
      here.disabled = false;
      here.dataset.value = data.jq;
    }
    if (table) {
      var docId = viewer ? viewer.dataset.doc : form.dataset.doc;
      if (data.array) {
        table.href = "/docs/" + docId + "/table?path=" + encodeURIComponent(data.pointer);
        table.removeAttribute("aria-disabled");
      } else {
        table.removeAttribute("href");
        table.setAttribute("aria-disabled", "true");
      }
    }
  });
  if (here) {
    here.addEventListener("click", function () {
      input.value = here.dataset.value || ".";
      input.focus();
      input.setSelectionRange(input.value.length, input.value.length);
    });
  }
})();

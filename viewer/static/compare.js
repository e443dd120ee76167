// "Compare with…" on a document's page: show or hide the panel that picks or takes the other document.
(function () {
  "use strict";
  var button = document.getElementById("compare-with");
  var panel = document.getElementById("compare-panel");
  if (!button || !panel) return;
  button.addEventListener("click", function () {
    panel.hidden = !panel.hidden;
    button.setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) {
      var first = panel.querySelector("a, textarea");
      if (first) first.focus();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) {
      panel.hidden = true;
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
  // A file dropped on the panel is the second document.
  var file = document.getElementById("compare-file");
  panel.addEventListener("dragover", function (event) { event.preventDefault(); });
  panel.addEventListener("drop", function (event) {
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    file.files = event.dataTransfer.files;
    document.getElementById("compare-form").submit();
  });
})();

// Drop a file anywhere on the home page to show it.
(function () {
  "use strict";
  var form = document.getElementById("intake");
  var input = document.getElementById("file");
  if (!form || !input) return;
  document.addEventListener("dragover", function (event) {
    event.preventDefault();
    document.body.classList.add("dragging");
  });
  document.addEventListener("dragleave", function (event) {
    if (!event.relatedTarget) document.body.classList.remove("dragging");
  });
  document.addEventListener("drop", function (event) {
    event.preventDefault();
    document.body.classList.remove("dragging");
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    form.submit();
  });
  input.addEventListener("change", function () {
    if (input.files.length) form.submit();
  });
})();

// "Delete all" asks first, and says how many kept documents it leaves (all of them unless "kept ones too").
(function () {
  "use strict";
  var form = document.getElementById("delete-all-form");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    var kept = +form.dataset.kept, tick = document.getElementById("delete-kept");
    var also = tick && tick.checked;
    var text = "Delete every document on this computer?";
    if (kept && also) text = "Delete every document, the " + kept + " kept one" + (kept === 1 ? "" : "s") + " too?";
    else if (kept) text = "Delete every document that is not kept? " + kept + " kept document" + (kept === 1 ? " stays" : "s stay") + ".";
    if (!window.confirm(text)) event.preventDefault();
  });
})();

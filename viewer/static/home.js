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

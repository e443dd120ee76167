"use strict";
// A bookmarklet link runs only from the bookmarks bar: here a click explains instead of running it.
// (The page's Content-Security-Policy blocks javascript: URLs as well, should this script not run.)
document.addEventListener("click", function (event) {
  var link = event.target.closest("a.bookmarklet");
  if (link) {
    event.preventDefault();
    say(link, "Drag this link onto your bookmarks bar; clicking it here does nothing.");
    return;
  }
  var button = event.target.closest("button.copy");
  if (button) {
    var href = document.getElementById(button.dataset.for).getAttribute("href");
    copy(href).then(function () {
      say(button, "Copied. Make a new bookmark and paste this as its URL.");
    }, function () {
      say(button, "This browser refused to copy; drag the link instead.");
    });
  }
});

function copy(text) {
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(text);
  }
  return new Promise(function (resolve, reject) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var copied = document.execCommand("copy");
    area.remove();
    if (copied) { resolve(); } else { reject(); }
  });
}

function say(element, message) {
  element.closest("li.entry").querySelector(".status").textContent = message;
}

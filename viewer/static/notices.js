// Notices above a document can be dismissed; a dismissed notice stays away for this browser session,
// on every document that would show it again (the same words are the same notice).
(function () {
  "use strict";
  var KEY = "viewer.dismissed";
  var bar = document.querySelector(".infobar");
  if (!bar) return;

  function dismissed() {
    try { return JSON.parse(sessionStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }

  function remember(text) {
    var list = dismissed();
    if (list.indexOf(text) < 0) list.push(text);
    try { sessionStorage.setItem(KEY, JSON.stringify(list)); } catch (e) { /* storage refused: hidden on this page only */ }
  }

  var seen = new Set(), gone = dismissed();
  // Only notices that say something: those with a button or a form act on the document and stay.
  Array.prototype.slice.call(bar.querySelectorAll(":scope > p.notice, :scope > p.warning")).forEach(function (notice) {
    if (notice.querySelector("button, .button, form")) return;
    var text = notice.textContent.trim();
    if (seen.has(text) || gone.indexOf(text) >= 0) { notice.remove(); return; } // each notice once
    seen.add(text);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "dismiss";
    close.title = "dismiss this notice for this browser session";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", function () { remember(text); notice.remove(); });
    notice.insertBefore(close, notice.firstChild);
  });
})();

// A through-the-viewer bookmarklet opens its tab on /fetch and waits for word that a viewer page arrived in
// it: when nothing answers, the tab holds the browser's error page, which says nothing, and the bookmarklet
// closes it and says how to start the viewer. The word carries nothing but itself, so whichever page opened
// this tab may hear it; every viewer page says it, since /fetch can end on the document or on an error page.
if (window.opener) {
  window.opener.postMessage("api-bookmarklets-viewer:arrived", "*");
}

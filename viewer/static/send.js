// Send to viewer opens this tab from the page it was clicked on and waits for word that the viewer
// answers; without that word it closes the tab and says how to start the viewer. Then it sends the
// document here, and this page posts it to /docs as a file part, which arrives byte for byte.
(function () {
  var status = document.getElementById("send-status");
  var sender = window.opener;
  if (!sender) {
    status.textContent = "This tab receives documents from the Send to viewer bookmarklet: click it on a page " +
      "that shows JSON.";
    return;
  }
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source !== sender || !data || data.type !== "api-bookmarklets-viewer:document" ||
        typeof data.json !== "string") {
      return;
    }
    // Nothing more is wanted from the page that sent it.
    window.opener = null;
    sender = null;
    post(data.json, typeof data.source_url === "string" ? data.source_url : "");
  });
  // The word carries nothing but itself, so whichever page opened this tab may hear it.
  sender.postMessage("api-bookmarklets-viewer:ready", "*");

  function post(text, sourceUrl) {
    var form = document.createElement("form");
    form.method = "POST";
    form.action = "/docs";
    form.acceptCharset = "UTF-8";
    form.hidden = true;
    function field(type, name) {
      var input = document.createElement("input");
      input.type = type;
      input.name = name;
      form.appendChild(input);
      return input;
    }
    field("hidden", "source_url").value = sourceUrl;
    // A form's text fields reach the server with every line break turned into CRLF; a file part
    // arrives byte for byte, so the document goes as a file wherever the browser can build one.
    try {
      var files = new DataTransfer();
      files.items.add(new File([text], "document.json", {type: "application/json"}));
      form.enctype = "multipart/form-data";
      field("file", "file").files = files.files;
    } catch (error) {
      form.enctype = "application/x-www-form-urlencoded";
      field("hidden", "json").value = text;
    }
    document.body.appendChild(form);
    form.submit();
  }
})();

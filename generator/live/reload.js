// Live reload for `papers serve` only: never part of a built site.
// Reloads the page after a successful rebuild; shows build errors in an overlay.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? script.src.replace(/reload\.js(\?.*)?$/, "") : "/_live/";
  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = base + "overlay.css";
  document.head.appendChild(style);
  var overlay = null;

  function showError(message) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "papers-error-overlay";
      overlay.setAttribute("role", "alert");
      var title = document.createElement("h2");
      title.textContent = "The site could not be rebuilt";
      var text = document.createElement("pre");
      var note = document.createElement("p");
      note.textContent = "The last good version, if any, is still being served. Fix the file and save: this message goes away.";
      overlay.appendChild(title);
      overlay.appendChild(text);
      overlay.appendChild(note);
      document.body.appendChild(overlay);
    }
    overlay.querySelector("pre").textContent = message;
  }

  function clearError() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  var version = null;
  function follow(data) {
    var state = JSON.parse(data);
    if (state.error) {
      showError(state.error);
      version = state.version;
      return;
    }
    clearError();
    if (version !== null && state.version !== version) {
      window.location.reload();
    }
    version = state.version;
  }

  // Tabs share one event stream through a worker (see worker.js); a browser without
  // shared workers gives each tab its own.
  if (window.SharedWorker) {
    var worker = new SharedWorker(base + "worker.js");
    worker.port.onmessage = function (event) { follow(event.data); };
    worker.port.start();
  } else {
    var source = new EventSource(base + "events");
    source.addEventListener("state", function (event) { follow(event.data); });
  }
})();

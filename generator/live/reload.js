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

  // The search page waits for the index to hold a rebuild's pages: reloaded before, it
  // would show the old results and stay so. A new server run is news whatever its versions.
  // The server writes its state into this script as it sends it, so a tab knows what it
  // shows even if its stream had not connected before the server stopped.
  var searchPage = !!document.getElementById("search");
  var last = null /* the state served */;
  // The build the page is of, which the server adds to this script's address: a rebuild
  // between sending the page and this script must still reload it.
  var shown = /[?&]v=(\d+)/.exec(script ? script.src : "");
  if (last && shown) last.version = Number(shown[1]);
  function follow(data) {
    var state = JSON.parse(data);
    var before = last;
    last = state;
    if (state.error) {
      showError(state.error);
      return;
    }
    clearError();
    if (before === null) return;
    var rebuilt = state.version !== before.version;
    var searched = state.search !== before.search;
    if (state.run !== before.run || (searchPage ? (searched || rebuilt) && !state.indexing : rebuilt)) {
      window.location.reload();
    }
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

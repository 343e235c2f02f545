// One event stream for all the preview's tabs (a SharedWorker): browsers open at most six
// connections to a host, and each tab's own stream held one, so a seventh tab never loaded.
// Each tab gets the build's state as the stream sends it, and the last one when it joins.
"use strict";
var ports = [];
var last = null;
var source = new EventSource("events");
// A stream that is down (the server stopped) has nothing to tell a tab that joins: the last
// state, of a run gone, would reload the new server's pages again and again.
source.onerror = function () { last = null; };
source.addEventListener("state", function (event) {
  last = event.data;
  ports.forEach(function (port) { port.postMessage(last); });
});
self.onconnect = function (event) {
  var port = event.ports[0];
  ports.push(port);
  if (last !== null) port.postMessage(last);
};

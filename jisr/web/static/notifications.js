// The header's notification bell: its counter follows the node's event stream of the viewer's
// notifications (GET /api/v1/notifications/stream, server-sent events). EventSource reconnects
// by itself with Last-Event-ID when the server ends a stream; a refused stream (signed out)
// is closed for good. No inline script: the Content-Security-Policy forbids it.
(function () {
  "use strict";
  function start() {
    var bell = document.querySelector("[data-notifications-stream]");
    if (!bell || typeof window.EventSource !== "function") { return; }
    var counter = bell.querySelector("[data-bell-count]");
    var status = document.querySelector("[data-bell-status]");
    var shown = null;
    function show(unread) {
      if (unread === shown) { return; }
      var announce = shown !== null && unread > shown;
      shown = unread;
      counter.textContent = unread > 99 ? "99+" : String(unread);
      counter.hidden = unread === 0;
      bell.setAttribute("data-unread", String(unread));
      var label = unread > 0 ?
        bell.getAttribute("data-label-unread").replace("{num}", String(unread)) :
        bell.getAttribute("data-label");
      bell.setAttribute("aria-label", label);
      if (announce && status) { status.textContent = label; }
    }
    var source = new EventSource(bell.getAttribute("data-notifications-stream"));
    source.addEventListener("count", function (event) {
      try { show(JSON.parse(event.data).unread); } catch (ignored) { /* a malformed event */ }
    });
    source.addEventListener("notification", function (event) {
      document.dispatchEvent(new CustomEvent("jisr:notification", { detail: event.data }));
    });
    source.addEventListener("end", function () { source.close(); });
    source.addEventListener("error", function () {
      // CLOSED: the server refused the stream (signed out); CONNECTING: it is reconnecting.
      if (source.readyState === EventSource.CLOSED) { bell.removeAttribute("data-live"); }
    });
    source.addEventListener("open", function () { bell.setAttribute("data-live", "true"); });
    window.addEventListener("pagehide", function () { source.close(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

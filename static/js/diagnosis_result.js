/* Result page: follows the status while the analysis is queued or running, and reloads
 * when it is finished. The rhythm strip is static/js/ecg_strip.js.
 */
(function () {
  "use strict";

  /* ---- Live status ---- */
  var live = document.getElementById("live-status");
  if (live) {
    var statusUrl = live.getAttribute("data-status-url");
    var statusText = document.getElementById("status-text");
    var delay = 1000;
    var poll = function () {
      fetch(statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (status) {
          if (status.finished) {
            window.location.reload();
            return;
          }
          statusText.textContent = status.status === "running" ? "Analysing your ECG…"
            : "Waiting in the queue" + (status.queue_position ? " (" + status.queue_position + " ahead of yours)" : "");
          delay = Math.min(delay * 1.25, 4000);
          window.setTimeout(poll, delay);
        })
        .catch(function () {
          delay = Math.min(delay * 2, 15000);
          window.setTimeout(poll, delay);
        });
    };
    window.setTimeout(poll, delay);
  }
})();

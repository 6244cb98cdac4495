/* Result page: follows the status while the analysis is queued or running (long-polling,
 * diagnosis_live.js), and reloads when it is finished. The rhythm strip is static/js/ecg_strip.js.
 */
(function () {
  "use strict";

  /* ---- Live status (static/js/diagnosis_live.js) ---- */
  var live = document.getElementById("live-status");
  if (live && window.ECGLive) {
    var statusText = document.getElementById("status-text");
    var first = { status: live.getAttribute("data-status"), kind: live.getAttribute("data-kind"),
      queue_position: null };
    window.ECGLive.follow(live.getAttribute("data-status-url"), first, function (status) {
      if (status.finished || status.status === "needs_rate") {
        window.location.reload();
        return;
      }
      statusText.textContent = status.status === "running" ? "Analysing your ECG…"
        : "Waiting in the queue" + (status.queue_position ? " (" + status.queue_position + " ahead of yours)" : "");
    });
  }
})();

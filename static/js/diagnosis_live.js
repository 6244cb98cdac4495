/* Following a diagnosis's status (result and upload pages), shared as window.ECGLive.
 *
 * follow(statusUrl, status, onStatus) calls onStatus(status) with every new status until the
 * diagnosis is finished (or needs something from the person, such as a sampling rate).
 * It long-polls: status.json?since=<status>&wait=25 answers as soon as the worker changes
 * the diagnosis (diagnosis/live.py). When a long-poll fails (a proxy that cuts long
 * requests, a server error) or the server answers at once without a change (it had too many
 * waiting requests), it falls back to plain polling with a growing delay, and tries
 * long-polling again after a success.
 */
(function () {
  "use strict";

  var WAIT_S = 25;
  var STOP = { done: true, failed: true, needs_rate: true };

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      });
  }

  function follow(statusUrl, status, onStatus) {
    var delay = 500;
    var sep = statusUrl.indexOf("?") === -1 ? "?" : "&";

    function ask(current, longPoll) {
      // A beat picture is analysed in milliseconds: wait straight for its result.
      var since = current.kind === "image" && (current.status === "queued" || current.status === "running")
        ? "queued,running" : current.status;
      var url = longPoll
        ? statusUrl + sep + "since=" + encodeURIComponent(since) + "&wait=" + WAIT_S
        : statusUrl;
      var started = Date.now();
      getJSON(url)
        .then(function (next) {
          next.kind = next.kind || current.kind;
          if (next.status !== current.status || next.queue_position !== current.queue_position) {
            onStatus(next);
          }
          if (STOP[next.status]) {
            return;
          }
          if (next.status !== current.status) {
            delay = 500;
            ask(next, true);
          } else if (longPoll && Date.now() - started > 1000) {
            ask(next, true); // the wait ran out: ask again at once
          } else {
            // Answered at once without a change: poll for a while, then long-poll again.
            delay = Math.min(delay * 1.5, 5000);
            window.setTimeout(function () { ask(next, !longPoll); }, delay);
          }
        })
        .catch(function () {
          delay = Math.min(delay * 2, 15000);
          window.setTimeout(function () { ask(current, false); }, delay);
        });
    }

    if (!STOP[status.status]) {
      ask(status, true);
    }
  }

  window.ECGLive = { follow: follow };
})();

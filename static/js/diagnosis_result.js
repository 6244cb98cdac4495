/* Result page: follows the status while the analysis is queued or running (and reloads
 * when it is finished), and draws the rhythm strip of a signal page by page from the
 * owner-checked JSON endpoint. No library: canvas 2D only.
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

  /* ---- Rhythm strip ---- */
  var strip = document.getElementById("strip");
  var configNode = document.getElementById("plot-config");
  if (!strip || !configNode || !window.fetch) {
    return;
  }
  var config = JSON.parse(configNode.textContent);
  var canvas = document.getElementById("strip-canvas");
  var overviewCanvas = document.getElementById("strip-overview");
  var pageInput = document.getElementById("strip-page");
  var pagesLabel = document.getElementById("strip-pages");
  var summary = document.getElementById("strip-summary");
  var rootStyle = window.getComputedStyle(document.documentElement);
  var state = { page: 0, pages: 1, overview: null, data: null };

  function colour(code) {
    var css = rootStyle.getPropertyValue("--class-" + code.toLowerCase()).trim();
    return css || config.colours[code] || "#333";
  }

  function sizeCanvas(c) {
    var ratio = window.devicePixelRatio || 1;
    var width = c.clientWidth || c.parentNode.clientWidth;
    var height = parseInt(c.getAttribute("height"), 10);
    c.style.height = height + "px";
    c.width = Math.round(width * ratio);
    c.height = Math.round(height * ratio);
    var ctx = c.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return { ctx: ctx, width: width, height: height };
  }

  function drawOverview() {
    var o = state.overview;
    if (!o) {
      return;
    }
    var s = sizeCanvas(overviewCanvas);
    var ctx = s.ctx;
    ctx.clearRect(0, 0, s.width, s.height);
    var scale = s.width / o.duration_s;
    ctx.fillStyle = "rgba(125, 14, 63, 0.18)";
    (o.vf_episodes || []).forEach(function (e) {
      ctx.fillRect(e[0] * scale, 0, Math.max(2, (e[1] - e[0]) * scale), s.height - 12);
    });
    for (var i = 0; i < o.times.length; i++) {
      var code = o.labels[i];
      var x = o.times[i] * scale;
      ctx.strokeStyle = colour(code);
      ctx.lineWidth = code === config.baseline ? 0.5 : 1.5;
      var top = code === config.baseline ? 14 : 2;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, s.height - 14);
      ctx.stroke();
    }
    var start = state.page * o.page_seconds * scale;
    ctx.strokeStyle = "#1b2631";
    ctx.lineWidth = 2;
    ctx.strokeRect(start, 1, Math.max(3, o.page_seconds * scale), s.height - 13);
    ctx.fillStyle = "#4f5d6b";
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillText("0:00", 0, s.height - 1);
    var end = clock(o.duration_s);
    ctx.fillText(end, s.width - ctx.measureText(end).width, s.height - 1);
  }

  function clock(seconds) {
    seconds = Math.floor(seconds);
    var m = Math.floor(seconds / 60);
    var sec = seconds % 60;
    return m + ":" + (sec < 10 ? "0" : "") + sec;
  }

  function drawPage() {
    var d = state.data;
    var s = sizeCanvas(canvas);
    var ctx = s.ctx;
    var top = 22;
    var bottom = s.height - 18;
    ctx.clearRect(0, 0, s.width, s.height);
    var span = d.page_seconds;
    var xOf = function (t) { return ((t - d.start_s) / span) * s.width; };
    // ECG paper: thin lines every 0.2 s, stronger every second.
    for (var g = 0; g <= span * 5; g++) {
      var gx = (g / (span * 5)) * s.width;
      ctx.strokeStyle = g % 5 === 0 ? "rgba(192, 57, 43, 0.35)" : "rgba(192, 57, 43, 0.12)";
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(gx, top);
      ctx.lineTo(gx, bottom);
      ctx.stroke();
    }
    d.vf_episodes.forEach(function (e) {
      ctx.fillStyle = "rgba(125, 14, 63, 0.15)";
      var x0 = Math.max(0, xOf(e[0]));
      var x1 = Math.min(s.width, xOf(e[1]));
      ctx.fillRect(x0, top, x1 - x0, bottom - top);
    });
    var values = d.values;
    if (values.length) {
      var lo = Math.min.apply(null, values);
      var hi = Math.max.apply(null, values);
      var range = hi - lo || 1;
      var yOf = function (v) { return bottom - 4 - ((v - lo) / range) * (bottom - top - 8); };
      ctx.strokeStyle = "#1b2631";
      ctx.lineWidth = 1.2;
      ctx.beginPath();
      for (var i = 0; i < values.length; i++) {
        var x = ((i * d.dt) / span) * s.width;
        if (i === 0) {
          ctx.moveTo(x, yOf(values[i]));
        } else {
          ctx.lineTo(x, yOf(values[i]));
        }
      }
      ctx.stroke();
    }
    ctx.font = "bold 12px system-ui, sans-serif";
    ctx.textAlign = "center";
    var tally = {};
    d.beats.forEach(function (beat) {
      var bx = xOf(beat[0]);
      var code = beat[1];
      tally[code] = (tally[code] || 0) + 1;
      ctx.strokeStyle = colour(code);
      ctx.lineWidth = code === config.baseline ? 1 : 2;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(bx, top);
      ctx.lineTo(bx, bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = colour(code);
      ctx.fillText(code, bx, 14);
    });
    ctx.textAlign = "left";
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = "#4f5d6b";
    for (var sec = 0; sec <= span; sec += 1) {
      ctx.fillText(clock(d.start_s + sec), (sec / span) * s.width + 2, s.height - 4);
    }
    var parts = Object.keys(tally).map(function (code) { return tally[code] + " " + config.names[code]; });
    summary.textContent = "From " + clock(d.start_s) + " to " + clock(d.end_s) + ": " +
      (d.beats.length ? d.beats.length + " beats (" + parts.join(", ") + ")" : "no beats") +
      (d.vf_episodes.length ? "; ventricular fibrillation shaded" : "") + ".";
  }

  function load(page, withOverview) {
    var url = config.url + "?page=" + page + (withOverview ? "&overview=1" : "");
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (data.overview) {
          state.overview = data.overview;
        }
        state.data = data;
        state.page = data.page;
        state.pages = data.pages;
        pageInput.max = data.pages;
        pageInput.value = data.page + 1;
        pagesLabel.textContent = "of " + data.pages + " (" + data.page_seconds + " s each)";
        document.getElementById("strip-prev").disabled = data.page === 0;
        document.getElementById("strip-next").disabled = data.page >= data.pages - 1;
        drawPage();
        drawOverview();
      })
      .catch(function () {
        summary.textContent = "The plot could not be loaded. Reload the page to try again.";
      });
  }

  function pageOfTime(t) {
    var seconds = state.overview ? state.overview.page_seconds : 10;
    return Math.max(0, Math.min(state.pages - 1, Math.floor(t / seconds)));
  }

  function nextAbnormal() {
    var o = state.overview;
    if (!o) {
      return;
    }
    var after = (state.page + 1) * o.page_seconds;
    for (var i = 0; i < o.times.length; i++) {
      if (o.labels[i] !== config.baseline && o.times[i] >= after) {
        load(pageOfTime(o.times[i]));
        return;
      }
    }
    summary.textContent = "No abnormal beat after this page.";
  }

  document.getElementById("strip-prev").addEventListener("click", function () { load(state.page - 1); });
  document.getElementById("strip-next").addEventListener("click", function () { load(state.page + 1); });
  document.getElementById("strip-abnormal").addEventListener("click", nextAbnormal);
  pageInput.addEventListener("change", function () {
    var wanted = parseInt(pageInput.value, 10);
    if (!isNaN(wanted)) {
      load(Math.max(0, Math.min(state.pages - 1, wanted - 1)));
    }
  });
  canvas.tabIndex = 0;
  canvas.addEventListener("keydown", function (event) {
    if (event.key === "ArrowLeft" && state.page > 0) {
      load(state.page - 1);
    } else if (event.key === "ArrowRight" && state.page < state.pages - 1) {
      load(state.page + 1);
    }
  });
  overviewCanvas.addEventListener("click", function (event) {
    if (!state.overview) {
      return;
    }
    var rect = overviewCanvas.getBoundingClientRect();
    load(pageOfTime(((event.clientX - rect.left) / rect.width) * state.overview.duration_s));
  });
  document.querySelectorAll(".strip-jump").forEach(function (button) {
    button.addEventListener("click", function () {
      load(pageOfTime(parseFloat(button.getAttribute("data-time"))));
      strip.scrollIntoView({ behavior: "smooth" });
    });
  });
  window.addEventListener("resize", function () {
    if (state.data) {
      drawPage();
      drawOverview();
    }
  });
  load(0, true);
})();

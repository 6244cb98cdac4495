/* The rhythm strip of a recording, drawn page by page from the access-checked JSON endpoint
 * (diagnosis:signal) on standard ECG paper, as on the result page and the review page.
 *
 * - Paper: config.paper (25 mm/s, 10 mm/mV) at a true scale relation: one 1 mm box is
 *   40 ms by 0.1 mV whatever the screen; 1 mm and 5 mm lines; a 1 mV calibration pulse
 *   in the first 10 mm. The gain can be halved or doubled (the pulse follows it).
 * - Beats: each beat's class code above it, in its class colour; a doctor's label (from
 *   the page's "relabels", or this page's own edits) is written above the model's, which
 *   is struck through.
 * - Calipers: click two points, or drag between them, to measure an interval (ms) and the
 *   rate it stands for (per minute); the two time fields do the same from the keyboard.
 * - Select mode (the review page): click beats or drag across a span to select them; the
 *   page's own script (care_review.js) relabels them through window.ecgStrip.
 *
 * Data come from the page's json_script (#plot-config), never from inline script. No
 * library: canvas 2D only.
 */
(function () {
  "use strict";

  var strip = document.getElementById("strip");
  var configNode = document.getElementById("plot-config");
  if (!strip || !configNode || !window.fetch) {
    return;
  }
  var config = JSON.parse(configNode.textContent);
  var paper = config.paper || { mm_per_s: 25, mm_per_mv: 10 };

  var CAL_MM = 10; // the calibration pulse's area before the signal: 2 + 5 (0.2 s) + 3 mm
  var LABEL_BAND = 34; // px above the grid: the doctor's labels, then the model's
  var TIME_BAND = 16; // px below the grid: the time of each second
  var MIN_PX_PER_MM = 3; // below this the 1 mm lines would merge: the strip scrolls instead
  var MAX_GRID_PX = 480;
  var CLICK_SLOP = 4; // px a pointer may move and still be a click
  var BEAT_HIT = 10; // px from a beat that a click selects it

  var canvas = document.getElementById("strip-canvas");
  var overviewCanvas = document.getElementById("strip-overview");
  var pageInput = document.getElementById("strip-page");
  var pagesLabel = document.getElementById("strip-pages");
  var summary = document.getElementById("strip-summary");
  var gainSelect = document.getElementById("strip-gain");
  var scaleNote = document.getElementById("strip-scale");
  var caliperA = document.getElementById("caliper-a");
  var caliperB = document.getElementById("caliper-b");
  var caliperResult = document.getElementById("caliper-result");
  var caliperClear = document.getElementById("caliper-clear");
  var rootStyle = window.getComputedStyle(document.documentElement);

  var state = {
    page: 0, pages: 1, overview: null, data: null, geometry: null,
    calipers: { a: null, b: null },
    mode: "measure",
    selected: {}, // sample -> true
    edits: {}, // sample -> class code chosen on this page (care_review.js)
    drag: null,
  };
  var listeners = { page: [], select: [] };

  function colour(code) {
    var css = rootStyle.getPropertyValue("--class-" + String(code).toLowerCase()).trim();
    return css || config.colours[code] || "#333";
  }

  function clock(seconds) {
    seconds = Math.floor(seconds);
    var m = Math.floor(seconds / 60);
    var sec = seconds % 60;
    return m + ":" + (sec < 10 ? "0" : "") + sec;
  }

  function preciseClock(seconds) {
    var whole = Math.floor(seconds);
    var hundredths = Math.round((seconds - whole) * 100);
    if (hundredths === 100) {
      whole += 1;
      hundredths = 0;
    }
    return clock(whole) + "." + (hundredths < 10 ? "0" : "") + hundredths;
  }

  function gain() {
    return gainSelect ? parseFloat(gainSelect.value) || paper.mm_per_mv : paper.mm_per_mv;
  }

  /* ---- Labels: the model's, a doctor's over it ---- */

  // The label shown for a beat: this page's edit, else a doctor's saved label, else the
  // model's. An edit back to the model's label removes the doctor's.
  function shownLabel(sample, modelCode, relabels) {
    if (Object.prototype.hasOwnProperty.call(state.edits, sample)) {
      return state.edits[sample];
    }
    return (relabels && relabels[sample]) || modelCode;
  }

  /* ---- Geometry: millimetres of paper to pixels ---- */

  function geometry(d, available) {
    var totalMm = CAL_MM + d.page_seconds * paper.mm_per_s;
    var width = Math.max(available, Math.ceil(totalMm * MIN_PX_PER_MM));
    var pxPerMm = width / totalMm;
    var g = gain();
    var lo = -0.5;
    var hi = 1.5; // room for the 1 mV pulse
    d.values.forEach(function (v) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    });
    var above = Math.ceil((hi * g + 2) / 5) * 5;
    var below = Math.ceil((-lo * g + 2) / 5) * 5;
    var clipped = false;
    var maxMm = Math.floor(MAX_GRID_PX / pxPerMm / 5) * 5;
    if (above + below > maxMm) {
      clipped = true;
      above = Math.min(above, Math.max(15, maxMm - 10));
      below = maxMm - above;
    }
    var gridTop = LABEL_BAND;
    var gridMm = above + below;
    return {
      width: width,
      height: Math.ceil(gridTop + gridMm * pxPerMm + TIME_BAND),
      pxPerMm: pxPerMm,
      totalMm: totalMm,
      gridMm: gridMm,
      gridTop: gridTop,
      gridBottom: gridTop + gridMm * pxPerMm,
      gain: g,
      clipped: clipped,
      xOfT: function (t) { return (CAL_MM + (t - d.start_s) * paper.mm_per_s) * pxPerMm; },
      tOfX: function (x) { return d.start_s + (x / pxPerMm - CAL_MM) / paper.mm_per_s; },
      yOfMv: function (v) { return gridTop + (above - v * g) * pxPerMm; },
    };
  }

  function sizeCanvas(c, width, height) {
    var ratio = window.devicePixelRatio || 1;
    c.style.width = width + "px";
    c.style.height = height + "px";
    c.width = Math.round(width * ratio);
    c.height = Math.round(height * ratio);
    var ctx = c.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return ctx;
  }

  /* ---- Drawing ---- */

  function drawPaper(ctx, geo) {
    var mm = geo.pxPerMm;
    function line(x0, y0, x1, y1, strong) {
      ctx.strokeStyle = strong ? "rgba(200, 60, 60, 0.5)" : "rgba(220, 90, 90, 0.2)";
      ctx.lineWidth = strong ? 1 : 0.6;
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      ctx.stroke();
    }
    var columns = Math.round(geo.totalMm);
    for (var strong = 0; strong < 2; strong++) { // fine lines first, then the 5 mm ones
      for (var i = 0; i <= columns; i++) {
        if ((i % 5 === 0) === (strong === 1)) {
          line(i * mm, geo.gridTop, i * mm, geo.gridBottom, strong === 1);
        }
      }
      for (var j = 0; j <= geo.gridMm; j++) {
        if ((j % 5 === 0) === (strong === 1)) {
          var y = geo.gridTop + j * mm;
          line(0, y, geo.width, y, strong === 1);
        }
      }
    }
  }

  function drawCalibration(ctx, geo) {
    var mm = geo.pxPerMm;
    var zero = geo.yOfMv(0);
    var one = geo.yOfMv(1);
    ctx.strokeStyle = "#1b2631";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(0, zero);
    ctx.lineTo(2 * mm, zero);
    ctx.lineTo(2 * mm, one);
    ctx.lineTo(7 * mm, one);
    ctx.lineTo(7 * mm, zero);
    ctx.lineTo(CAL_MM * mm, zero);
    ctx.stroke();
  }

  function drawSignal(ctx, geo, d) {
    if (!d.values.length) {
      return;
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(CAL_MM * geo.pxPerMm, geo.gridTop, geo.width, geo.gridBottom - geo.gridTop);
    ctx.clip();
    ctx.strokeStyle = "#1b2631";
    ctx.lineWidth = 1.2;
    ctx.beginPath();
    for (var i = 0; i < d.values.length; i++) {
      var x = geo.xOfT(d.start_s + i * d.dt);
      var y = geo.yOfMv(d.values[i]);
      if (i === 0) {
        ctx.moveTo(x, y);
      } else {
        ctx.lineTo(x, y);
      }
    }
    ctx.stroke();
    ctx.restore();
  }

  function drawBeats(ctx, geo, d) {
    var tally = {};
    var relabelled = 0;
    var anyDoctor = false;
    ctx.textAlign = "center";
    d.beats.forEach(function (beat, i) {
      var sample = d.samples ? d.samples[i] : null;
      var model = beat[1];
      var shown = sample === null ? model : shownLabel(sample, model, d.relabels);
      var x = geo.xOfT(beat[0]);
      tally[shown] = (tally[shown] || 0) + 1;
      if (sample !== null && state.selected[sample]) {
        ctx.fillStyle = "rgba(31, 95, 191, 0.16)";
        ctx.fillRect(x - 0.1 * paper.mm_per_s * geo.pxPerMm, geo.gridTop,
          0.2 * paper.mm_per_s * geo.pxPerMm, geo.gridBottom - geo.gridTop);
      }
      ctx.strokeStyle = colour(shown);
      ctx.lineWidth = shown === config.baseline ? 1 : 2;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(x, geo.gridTop);
      ctx.lineTo(x, geo.gridBottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = "bold 12px system-ui, sans-serif";
      if (shown !== model) {
        relabelled += 1;
        anyDoctor = true;
        ctx.fillStyle = colour(shown);
        ctx.fillText(shown === "uninterpretable" ? "?" : shown, x, 12);
        ctx.font = "11px system-ui, sans-serif";
        ctx.fillStyle = "#6b7785";
        ctx.fillText(model, x, 28);
        var w = ctx.measureText(model).width;
        ctx.strokeStyle = "#6b7785";
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(x - w / 2 - 1, 24);
        ctx.lineTo(x + w / 2 + 1, 24);
        ctx.stroke();
      } else {
        ctx.fillStyle = colour(model);
        ctx.fillText(model, x, 28);
      }
    });
    ctx.textAlign = "left";
    ctx.font = "9px system-ui, sans-serif";
    ctx.fillStyle = "#6b7785";
    ctx.fillText("model", 1, 28);
    if (anyDoctor) {
      ctx.fillText("doctor", 1, 12);
    }
    return { tally: tally, relabelled: relabelled };
  }

  function caliperTimes() {
    var c = state.calipers;
    return c.a === null ? [] : c.b === null ? [c.a] : [c.a, c.b];
  }

  function drawCalipers(ctx, geo) {
    var times = caliperTimes();
    if (!times.length) {
      return;
    }
    ctx.strokeStyle = "#1f5fbf";
    ctx.fillStyle = "#1f5fbf";
    ctx.lineWidth = 1.5;
    times.forEach(function (t) {
      var x = geo.xOfT(t);
      ctx.beginPath();
      ctx.moveTo(x, geo.gridTop);
      ctx.lineTo(x, geo.gridBottom);
      ctx.stroke();
    });
    if (times.length === 2) {
      var xa = geo.xOfT(Math.min(times[0], times[1]));
      var xb = geo.xOfT(Math.max(times[0], times[1]));
      var y = geo.gridTop + 8;
      ctx.beginPath();
      ctx.moveTo(xa, y);
      ctx.lineTo(xb, y);
      ctx.stroke();
      var text = measurement().short;
      ctx.font = "bold 12px system-ui, sans-serif";
      var w = ctx.measureText(text).width;
      var tx = Math.min(Math.max((xa + xb) / 2 - w / 2, 2), geo.width - w - 2);
      ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
      ctx.fillRect(tx - 2, y + 2, w + 4, 16);
      ctx.fillStyle = "#1f5fbf";
      ctx.fillText(text, tx, y + 14);
    }
  }

  function drawSpan(ctx, geo) {
    var drag = state.drag;
    if (!drag || !drag.moved || state.mode !== "select") {
      return;
    }
    ctx.fillStyle = "rgba(31, 95, 191, 0.12)";
    ctx.strokeStyle = "#1f5fbf";
    var x0 = Math.min(drag.x0, drag.x1);
    var w = Math.abs(drag.x1 - drag.x0);
    ctx.fillRect(x0, geo.gridTop, w, geo.gridBottom - geo.gridTop);
    ctx.strokeRect(x0, geo.gridTop, w, geo.gridBottom - geo.gridTop);
  }

  function drawPage() {
    var d = state.data;
    var available = canvas.parentNode.clientWidth || 600;
    var geo = geometry(d, available);
    state.geometry = geo;
    var ctx = sizeCanvas(canvas, geo.width, geo.height);
    ctx.clearRect(0, 0, geo.width, geo.height);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, geo.width, geo.height);
    drawPaper(ctx, geo);
    d.vf_episodes.forEach(function (e) {
      ctx.fillStyle = "rgba(125, 14, 63, 0.15)";
      var x0 = Math.max(CAL_MM * geo.pxPerMm, geo.xOfT(e[0]));
      var x1 = Math.min(geo.width, geo.xOfT(e[1]));
      ctx.fillRect(x0, geo.gridTop, x1 - x0, geo.gridBottom - geo.gridTop);
    });
    drawCalibration(ctx, geo);
    drawSignal(ctx, geo, d);
    var beats = drawBeats(ctx, geo, d);
    drawSpan(ctx, geo);
    drawCalipers(ctx, geo);
    ctx.textAlign = "left";
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = "#4f5d6b";
    for (var sec = 0; sec <= d.page_seconds; sec += 1) {
      var label = clock(d.start_s + sec);
      var lx = Math.min(geo.xOfT(d.start_s + sec) + 2, geo.width - ctx.measureText(label).width);
      ctx.fillText(label, lx, geo.height - 4);
    }
    describe(d, beats, geo);
  }

  function describe(d, beats, geo) {
    var parts = Object.keys(beats.tally).map(function (code) {
      return beats.tally[code] + " " + (config.names[code] || "not interpretable");
    });
    summary.textContent = "From " + clock(d.start_s) + " to " + clock(d.end_s) + ": " +
      (d.beats.length ? d.beats.length + " beats (" + parts.join(", ") + ")" : "no beats") +
      (beats.relabelled ? "; " + beats.relabelled + " labelled by a doctor" : "") +
      (d.vf_episodes.length ? "; ventricular fibrillation shaded" : "") + ".";
    if (scaleNote) {
      var g = geo.gain;
      scaleNote.textContent = paper.mm_per_s + " mm/s, " + g + " mm/mV: a small box is " +
        Math.round(1000 / paper.mm_per_s) + " ms by " + (1 / g).toFixed(2).replace(/0$/, "") +
        " mV, a large box " + Math.round(5000 / paper.mm_per_s) + " ms by " +
        (5 / g).toFixed(2).replace(/0$/, "") + " mV; the pulse at the start is 1 mV." +
        (geo.clipped ? " The signal runs beyond the paper at this gain: choose a smaller one." : "");
    }
  }

  function drawOverview() {
    var o = state.overview;
    if (!o) {
      return;
    }
    var width = overviewCanvas.parentNode.clientWidth || 600;
    var height = parseInt(overviewCanvas.getAttribute("height"), 10);
    var ctx = sizeCanvas(overviewCanvas, width, height);
    ctx.clearRect(0, 0, width, height);
    var scale = width / o.duration_s;
    ctx.fillStyle = "rgba(125, 14, 63, 0.18)";
    (o.vf_episodes || []).forEach(function (e) {
      ctx.fillRect(e[0] * scale, 0, Math.max(2, (e[1] - e[0]) * scale), height - 12);
    });
    for (var i = 0; i < o.times.length; i++) {
      var code = o.samples ? shownLabel(o.samples[i], o.labels[i], o.relabels) : o.labels[i];
      var x = o.times[i] * scale;
      ctx.strokeStyle = colour(code);
      ctx.lineWidth = code === config.baseline ? 0.5 : 1.5;
      var top = code === config.baseline ? 14 : 2;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, height - 14);
      ctx.stroke();
    }
    var start = state.page * o.page_seconds * scale;
    ctx.strokeStyle = "#1b2631";
    ctx.lineWidth = 2;
    ctx.strokeRect(start, 1, Math.max(3, o.page_seconds * scale), height - 13);
    ctx.fillStyle = "#4f5d6b";
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillText("0:00", 0, height - 1);
    var end = clock(o.duration_s);
    ctx.fillText(end, width - ctx.measureText(end).width, height - 1);
  }

  function redraw() {
    if (state.data) {
      drawPage();
      drawOverview();
    }
  }

  /* ---- Calipers ---- */

  function measurement() {
    var c = state.calipers;
    var ms = Math.abs(c.b - c.a) * 1000;
    var rate = ms > 0 ? 60000 / ms : null;
    var rateText = rate === null ? "" : Math.round(rate) + " per minute";
    return {
      short: Math.round(ms) + " ms" + (rate === null ? "" : " · " + Math.round(rate) + " bpm"),
      long: "Interval " + Math.round(ms) + " ms" + (rateText ? ", a rate of " + rateText : "") +
        " (from " + preciseClock(Math.min(c.a, c.b)) + " to " +
        preciseClock(Math.max(c.a, c.b)) + ").",
    };
  }

  function clampToPage(t) {
    var d = state.data;
    return Math.min(Math.max(t, d.start_s), d.start_s + d.page_seconds);
  }

  function setCalipers(a, b) {
    state.calipers = { a: a, b: b };
    if (caliperA) {
      caliperA.value = a === null ? "" : a.toFixed(2);
      caliperB.value = b === null ? "" : b.toFixed(2);
    }
    if (caliperResult) {
      caliperResult.textContent = a === null ? "" : b === null
        ? "First point at " + preciseClock(a) + ": click the second point."
        : measurement().long;
    }
    redraw();
  }

  function fromFields() {
    var a = parseFloat(caliperA.value);
    var b = parseFloat(caliperB.value);
    setCalipers(isNaN(a) ? null : clampToPage(a), isNaN(a) || isNaN(b) ? null : clampToPage(b));
  }

  /* ---- Selecting beats (review page) ---- */

  function beatsBetween(t0, t1) {
    var d = state.data;
    var lo = Math.min(t0, t1);
    var hi = Math.max(t0, t1);
    var found = [];
    d.beats.forEach(function (beat, i) {
      if (beat[0] >= lo && beat[0] <= hi) {
        found.push(d.samples[i]);
      }
    });
    return found;
  }

  function nearestBeat(x) {
    var d = state.data;
    var best = null;
    var bestDistance = BEAT_HIT;
    d.beats.forEach(function (beat, i) {
      var distance = Math.abs(state.geometry.xOfT(beat[0]) - x);
      if (distance <= bestDistance) {
        best = d.samples[i];
        bestDistance = distance;
      }
    });
    return best;
  }

  function selectionChanged() {
    var samples = Object.keys(state.selected).map(Number).sort(function (a, b) { return a - b; });
    listeners.select.forEach(function (fn) { fn(samples); });
    redraw();
  }

  function setSelection(samples) {
    state.selected = {};
    samples.forEach(function (s) { state.selected[s] = true; });
    selectionChanged();
  }

  /* ---- Pointer: click, or drag ---- */

  function pointerX(event) {
    return event.clientX - canvas.getBoundingClientRect().left;
  }

  canvas.addEventListener("pointerdown", function (event) {
    if (event.button !== 0 || !state.data) {
      return;
    }
    state.drag = { x0: pointerX(event), x1: pointerX(event), moved: false };
  });
  canvas.addEventListener("pointermove", function (event) {
    var drag = state.drag;
    if (!drag) {
      return;
    }
    drag.x1 = pointerX(event);
    if (!drag.moved && Math.abs(drag.x1 - drag.x0) > CLICK_SLOP) {
      drag.moved = true;
      try {
        canvas.setPointerCapture(event.pointerId); // keep the drag when it leaves the strip
      } catch (ignored) {
        // a pointer the browser no longer tracks: the drag simply ends at the edge
      }
    }
    if (drag.moved) {
      if (state.mode === "measure") {
        var geo = state.geometry;
        setCalipers(clampToPage(geo.tOfX(drag.x0)), clampToPage(geo.tOfX(drag.x1)));
      } else {
        redraw();
      }
    }
  });
  canvas.addEventListener("pointerup", function (event) {
    var drag = state.drag;
    if (!drag) {
      return;
    }
    state.drag = null;
    var geo = state.geometry;
    var x = pointerX(event);
    if (state.mode === "measure") {
      var t = clampToPage(geo.tOfX(x));
      if (drag.moved) {
        setCalipers(clampToPage(geo.tOfX(drag.x0)), t);
      } else if (state.calipers.a === null || state.calipers.b !== null) {
        setCalipers(t, null);
      } else {
        setCalipers(state.calipers.a, t);
      }
      return;
    }
    if (drag.moved) {
      setSelection(beatsBetween(geo.tOfX(drag.x0), geo.tOfX(x)));
    } else {
      var sample = nearestBeat(x);
      if (sample !== null) {
        if (state.selected[sample]) {
          delete state.selected[sample];
        } else {
          state.selected[sample] = true;
        }
        selectionChanged();
      }
    }
  });
  canvas.addEventListener("pointercancel", function () {
    state.drag = null;
    redraw();
  });

  /* ---- Pages ---- */

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
        var samePage = state.data && state.data.page === data.page;
        state.data = data;
        state.page = data.page;
        state.pages = data.pages;
        if (!samePage) {
          setCalipers(null, null);
        }
        pageInput.max = data.pages;
        pageInput.value = data.page + 1;
        pagesLabel.textContent = "of " + data.pages + " (" + data.page_seconds + " s each)";
        document.getElementById("strip-prev").disabled = data.page === 0;
        document.getElementById("strip-next").disabled = data.page >= data.pages - 1;
        if (caliperA) {
          [caliperA, caliperB].forEach(function (field) {
            field.min = data.start_s;
            field.max = data.start_s + data.page_seconds;
          });
        }
        redraw();
        listeners.page.forEach(function (fn) { fn(data); });
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
  if (gainSelect) {
    gainSelect.addEventListener("change", redraw);
  }
  if (caliperA) {
    caliperA.addEventListener("change", fromFields);
    caliperB.addEventListener("change", fromFields);
    caliperClear.addEventListener("click", function () { setCalipers(null, null); });
  }
  canvas.addEventListener("keydown", function (event) {
    if (event.key === "ArrowLeft" && state.page > 0) {
      load(state.page - 1);
    } else if (event.key === "ArrowRight" && state.page < state.pages - 1) {
      load(state.page + 1);
    } else if (event.key === "Escape") {
      setCalipers(null, null);
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
  window.addEventListener("resize", redraw);

  /* ---- For the page's own script (care_review.js) ---- */
  window.ecgStrip = {
    load: load,
    pageOfTime: pageOfTime,
    page: function () { return state.data; },
    overview: function () { return state.overview; },
    onPage: function (fn) { listeners.page.push(fn); },
    onSelect: function (fn) { listeners.select.push(fn); },
    setMode: function (mode) {
      state.mode = mode;
      canvas.classList.toggle("is-selecting", mode === "select");
    },
    select: setSelection,
    selection: function () { return Object.keys(state.selected).map(Number); },
    setEdits: function (edits) {
      state.edits = edits;
      redraw();
    },
    shownLabel: shownLabel,
  };

  load(0, true);
})();

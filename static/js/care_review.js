/* Review page: a doctor labels single beats, or every beat of a span, of a recording.
 *
 * Beats are selected on the strip (static/js/ecg_strip.js, in its "select" mode), in the
 * table of the page's beats, or by a span of seconds (which may cross pages). A label is
 * applied to the selection; the strip draws it above the model's. The labels travel with
 * the review form in its hidden field beat_labels, as JSON {"<sample index>": "<code>"},
 * holding every beat this doctor labels differently from the model; the server checks
 * each beat and label (care.forms.ReviewForm). Without JavaScript the section stays hidden
 * and the review is a recording-level one.
 */
(function () {
  "use strict";

  var strip = window.ecgStrip;
  var panel = document.getElementById("beat-review");
  var field = document.getElementById("id_beat_labels");
  var form = document.getElementById("review-form");
  if (!strip || !panel || !field || !form) {
    return;
  }
  panel.hidden = false;

  var labelSelect = document.getElementById("beat-label");
  var applyButton = document.getElementById("beat-apply");
  var selectedText = document.getElementById("beat-selected");
  var pendingText = document.getElementById("beat-pending");
  var rows = document.getElementById("beat-rows");
  var spanFrom = document.getElementById("span-from");
  var spanTo = document.getElementById("span-to");

  function parse(text) {
    try {
      var value = JSON.parse(text || "{}");
      return value && typeof value === "object" && !Array.isArray(value) ? value : {};
    } catch (ignored) {
      return {};
    }
  }

  var saved = parse(field.value); // what the review holds now: sample -> code
  var edits = {}; // sample -> code; the model's own code means "no label of mine"
  Object.keys(saved).forEach(function (s) { edits[s] = saved[s]; });
  var model = {}; // sample -> the model's code, from the overview
  var times = {}; // sample -> seconds
  var selection = [];
  var submitting = false;

  function names(code) {
    var option = labelSelect.querySelector('option[value="' + code + '"]');
    return option ? option.textContent : code;
  }

  function clock(seconds) {
    var m = Math.floor(seconds / 60);
    var s = (seconds - 60 * m).toFixed(2);
    return m + ":" + (seconds - 60 * m < 10 ? "0" : "") + s;
  }

  // The doctor's labels that differ from the model's: what the form posts.
  function labels() {
    var out = {};
    Object.keys(edits).forEach(function (s) {
      if (!(s in model) || edits[s] !== model[s]) {
        out[s] = edits[s];
      }
    });
    return out;
  }

  function unsaved() {
    var now = labels();
    var keys = {};
    Object.keys(now).concat(Object.keys(saved)).forEach(function (k) { keys[k] = true; });
    return Object.keys(keys).filter(function (k) { return now[k] !== saved[k]; }).length;
  }

  function sync() {
    field.value = JSON.stringify(labels());
    strip.setEdits(edits);
    var n = unsaved();
    pendingText.textContent = n ? n + " beat label" + (n === 1 ? "" : "s") +
      " changed and not saved yet: save your review below to keep " + (n === 1 ? "it." : "them.") : "";
    renderRows();
  }

  function describeSelection() {
    applyButton.disabled = selection.length === 0;
    if (!selection.length) {
      selectedText.textContent = "No beat selected.";
      return;
    }
    var first = times[selection[0]];
    var last = times[selection[selection.length - 1]];
    selectedText.textContent = selection.length + " beat" + (selection.length === 1 ? "" : "s") +
      " selected" + (first !== undefined ? " (" + clock(first) +
      (selection.length > 1 ? " to " + clock(last) : "") + ")" : "") + ".";
  }

  function renderRows() {
    var page = strip.page();
    if (!page) {
      return;
    }
    var chosen = {};
    selection.forEach(function (s) { chosen[s] = true; });
    var mine = labels();
    rows.textContent = "";
    page.beats.forEach(function (beat, i) {
      var sample = page.samples[i];
      var row = document.createElement("tr");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.id = "beat-" + sample;
      box.checked = !!chosen[sample];
      box.setAttribute("aria-label", "Select the beat at " + clock(beat[0]));
      box.addEventListener("change", function () {
        var next = selection.filter(function (s) { return s !== sample; });
        if (box.checked) {
          next.push(sample);
        }
        strip.select(next);
      });
      var cells = [box, clock(beat[0]), names(beat[1]), mine[sample] ? names(mine[sample]) : "–"];
      cells.forEach(function (content) {
        var cell = document.createElement("td");
        if (typeof content === "string") {
          cell.textContent = content;
        } else {
          cell.appendChild(content);
        }
        row.appendChild(cell);
      });
      rows.appendChild(row);
    });
  }

  function learnOverview() {
    var o = strip.overview();
    if (!o || !o.samples) {
      return;
    }
    o.samples.forEach(function (s, i) {
      model[s] = o.labels[i];
      times[s] = o.times[i];
    });
    sync();
  }

  strip.onPage(function () {
    if (!Object.keys(model).length) {
      learnOverview();
    }
    renderRows();
  });
  strip.onSelect(function (samples) {
    selection = samples;
    describeSelection();
    renderRows();
  });

  applyButton.addEventListener("click", function () {
    var code = labelSelect.value;
    selection.forEach(function (s) {
      edits[s] = code || model[s];
    });
    strip.select([]);
    sync();
  });
  document.getElementById("beat-unselect").addEventListener("click", function () {
    strip.select([]);
  });
  document.getElementById("span-select").addEventListener("click", function () {
    var from = parseFloat(spanFrom.value);
    var to = parseFloat(spanTo.value);
    var o = strip.overview();
    if (isNaN(from) || isNaN(to) || !o) {
      selectedText.textContent = "Give the span as two times in seconds.";
      return;
    }
    var lo = Math.min(from, to);
    var hi = Math.max(from, to);
    var found = o.samples.filter(function (s, i) { return o.times[i] >= lo && o.times[i] <= hi; });
    strip.load(strip.pageOfTime(lo)).then(function () { strip.select(found); });
  });
  panel.querySelectorAll('input[name="strip-mode"]').forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (radio.checked) {
        strip.setMode(radio.value);
      }
    });
  });
  form.addEventListener("submit", function () {
    field.value = JSON.stringify(labels());
    submitting = true;
  });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && unsaved()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  describeSelection();
  sync();
})();

/* Upload page: drag-and-drop or pick several files; each upload (one file, or a WFDB
 * .hea with its .dat) goes in its own request with its own progress bar, then its status is
 * followed until the result is ready. Without JavaScript the form posts normally.
 */
(function () {
  "use strict";

  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) {
    return;
  }
  var input = form.querySelector('input[type="file"]');
  var dropzone = document.getElementById("dropzone");
  var list = document.getElementById("upload-list");
  var submitRow = document.getElementById("upload-submit");
  var csrf = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
  var secondsField = form.querySelector('input[name="seconds_shown"]');
  var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10);
  var maxSize = form.getAttribute("data-max-size");
  var PARALLEL = 3;
  // A picture's upload answer may wait this long for its result (services.picture_result):
  // one request instead of two; a recording's answer comes at once, whatever this says.
  var RESULT_WAIT_S = 5;
  var waiting = [];
  var active = 0;

  submitRow.style.display = "none"; // files upload as soon as they are chosen

  function extension(name) {
    var dot = name.lastIndexOf(".");
    return dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
  }

  function stem(name) {
    var dot = name.lastIndexOf(".");
    return dot < 0 ? name : name.slice(0, dot);
  }

  /* A WFDB record's header and data files travel together; everything else alone. The
   * server decides what a file really is; this grouping only saves a round trip. */
  function group(files) {
    var groups = [];
    var records = {};
    files.forEach(function (file) {
      var ext = extension(file.name);
      if (ext === "hea" || ext === "dat") {
        var key = stem(file.name);
        if (!records[key]) {
          records[key] = [];
          groups.push(records[key]);
        }
        records[key].push(file);
      } else {
        groups.push([file]);
      }
    });
    return groups;
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) {
      el.className = className;
    }
    if (text) {
      el.textContent = text;
    }
    return el;
  }

  function addRow(files) {
    var names = files.map(function (f) { return f.name; }).join(" + ");
    var item = element("li", "upload-item");
    var title = element("span", "upload-name", names);
    var bar = element("progress", "progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Upload progress of " + names);
    var state = element("span", "progress-label upload-state", "Waiting to upload…");
    item.appendChild(title);
    item.appendChild(bar);
    item.appendChild(state);
    list.appendChild(item);
    return { item: item, bar: bar, state: state, names: names };
  }

  function setState(row, text, kind) {
    row.state.textContent = text;
    row.item.classList.remove("is-error", "is-done", "is-warning");
    if (kind) {
      row.item.classList.add("is-" + kind);
    }
  }

  function showLink(row, url, text) {
    var existing = row.item.querySelector(".upload-link");
    if (existing) {
      existing.remove();
    }
    var link = element("a", "upload-link", text);
    link.href = url;
    row.item.appendChild(link);
  }

  function describe(status) {
    if (status.status === "queued") {
      return status.queue_position ? "Waiting in the queue (" + status.queue_position + " ahead)…"
        : "Waiting in the queue…";
    }
    if (status.status === "running") {
      return "Analysing…";
    }
    if (status.status === "failed") {
      return "Could not be analysed: " + (status.error || "");
    }
    var text = "Done: " + status.label_name + " (" + Math.round(100 * status.confidence) + "% confidence)";
    return status.low_confidence ? text + ", uncertain" : text;
  }

  function show(row, status) {
    var kind = status.status === "failed" ? "error" : status.status === "done"
      ? (status.low_confidence ? "warning" : "done") : null;
    setState(row, describe(status), kind);
    showLink(row, status.url, status.finished ? "See the result" : "Open the result page");
  }

  /* A kept CSV file without a sampling rate: ask for it in the row, then follow. */
  function askRate(row, status) {
    setState(row, "Kept. This file does not say its sampling rate: how many samples per second?", "warning");
    showLink(row, status.url, "Open the result page");
    var box = element("form", "upload-rate");
    var id = "rate-" + status.id;
    var label = element("label", null, "Sampling rate (Hz)");
    label.setAttribute("for", id);
    var field = element("input");
    field.type = "number";
    field.id = id;
    field.min = "50";
    field.max = "10000";
    field.step = "any";
    field.required = true;
    field.setAttribute("inputmode", "decimal");
    var button = element("button", "btn btn-primary btn-sm", "Analyse");
    button.type = "submit";
    box.appendChild(label);
    box.appendChild(field);
    box.appendChild(button);
    row.item.appendChild(box);
    field.focus();
    box.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData();
      data.append("sampling_rate", field.value);
      button.disabled = true;
      fetch(status.rate_url, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrf }
      })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (answer) {
          button.disabled = false;
          if (answer.ok) {
            box.remove();
            follow(row, answer.body);
          } else {
            setState(row, "The file is kept. " + (answer.body.error || "Check the rate."), "error");
          }
        })
        .catch(function () {
          button.disabled = false;
          setState(row, "The rate could not be sent (connection lost); the file is kept. Try again.", "error");
        });
    });
  }

  /* Shows each new status as it comes (long-polling, diagnosis_live.js). */
  function follow(row, status) {
    if (status.status === "needs_rate") {
      askRate(row, status);
      return;
    }
    show(row, status);
    if (window.ECGLive) {
      window.ECGLive.follow(status.status_url, status, function (next) { show(row, next); });
    }
  }

  function send(job) {
    active += 1;
    var row = job.row;
    var data = new FormData();
    job.files.forEach(function (file) { data.append("files", file, file.name); });
    if (job.seconds) {
      data.append("seconds_shown", job.seconds);
    }
    data.append("csrfmiddlewaretoken", csrf);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action + (form.action.indexOf("?") === -1 ? "?" : "&") + "wait=" + RESULT_WAIT_S);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        row.bar.value = Math.round((100 * event.loaded) / event.total);
        setState(row, row.bar.value < 100 ? "Uploading… " + row.bar.value + "%" : "Uploaded; checking it…");
      }
    });
    xhr.addEventListener("load", function () {
      var body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch (e) {
        body = null;
      }
      if (xhr.status === 201 && body) {
        row.bar.value = 100;
        follow(row, body);
      } else if (body && body.error) {
        row.bar.value = 0;
        setState(row, "Refused: " + body.error, "error");
      } else if (xhr.status === 200 && xhr.responseURL && xhr.responseURL.indexOf("/accounts/") !== -1) {
        setState(row, "Your session has ended: sign in again, then upload.", "error");
      } else {
        setState(row, "Upload failed (server error " + xhr.status + "). Please try again.", "error");
      }
    });
    xhr.addEventListener("error", function () {
      setState(row, "Upload failed: the connection was lost. Please try again.", "error");
    });
    xhr.addEventListener("loadend", function () {
      active -= 1;
      next();
    });
    setState(row, "Uploading… 0%");
    xhr.send(data);
  }

  function next() {
    while (active < PARALLEL && waiting.length) {
      send(waiting.shift());
    }
  }

  function accept(fileList) {
    var files = Array.prototype.slice.call(fileList);
    group(files).forEach(function (files) {
      var row = addRow(files);
      var tooBig = files.filter(function (f) { return f.size > maxBytes; });
      var empty = files.filter(function (f) { return f.size === 0; });
      if (tooBig.length) {
        setState(row, "Refused: “" + tooBig[0].name + "” is larger than the limit of " + maxSize + ".", "error");
      } else if (empty.length) {
        setState(row, "Refused: “" + empty[0].name + "” is empty.", "error");
      } else {
        // The optional span as it was when the files were chosen; the server checks it.
        waiting.push({ files: files, row: row,
                       seconds: secondsField ? secondsField.value.trim() : "" });
      }
    });
    next();
  }

  input.addEventListener("change", function () {
    accept(input.files);
    input.value = "";
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  ["dragenter", "dragover"].forEach(function (type) {
    dropzone.addEventListener(type, function (event) {
      event.preventDefault();
      dropzone.classList.add("is-dragover");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    dropzone.addEventListener(type, function (event) {
      event.preventDefault();
      dropzone.classList.remove("is-dragover");
    });
  });
  dropzone.addEventListener("drop", function (event) {
    if (event.dataTransfer && event.dataTransfer.files.length) {
      accept(event.dataTransfer.files);
    }
  });
})();

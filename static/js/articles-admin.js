// Live preview of an article's Markdown in the admin change form. The server renders and
// sanitises the text (the same code as on the site), so the HTML put into the page is safe.
(function () {
  "use strict";

  function init() {
    var box = document.getElementById("articles-live-preview");
    var body = document.getElementById("id_body");
    if (!box || !body) return;
    var row = body.closest(".form-row") || body.parentNode;
    row.parentNode.insertBefore(box, row.nextSibling);
    box.hidden = false;

    var button = box.querySelector("[data-action=preview]");
    var status = box.querySelector(".article-preview-status");
    var panel = box.querySelector(".article-preview");
    var toc = box.querySelector(".article-preview-toc");
    var out = box.querySelector(".article-body");
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");

    button.addEventListener("click", function () {
      var data = new FormData();
      data.append("body", body.value);
      status.textContent = "Rendering…";
      fetch(box.dataset.previewUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      })
        .then(function (response) {
          return response.json().then(function (json) {
            if (!response.ok) throw new Error(json.error || "The preview failed.");
            return json;
          });
        })
        .then(function (json) {
          toc.textContent = "";
          json.toc.forEach(function (entry) {
            var li = document.createElement("li");
            li.textContent = entry.title;
            li.className = "article-toc-level-" + entry.level;
            toc.appendChild(li);
          });
          out.innerHTML = json.html; // sanitised by the server (nh3)
          panel.hidden = false;
          status.textContent = "Preview updated (not saved).";
        })
        .catch(function (error) {
          status.textContent = error.message || "The preview failed.";
        });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

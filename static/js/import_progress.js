// Polls the import's status while it runs in the background and reloads the page when it is done.
// Without JavaScript the page refreshes itself (<noscript> meta refresh); the server keeps the state.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box) { return; }
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-progress-text");
  var status = document.getElementById("import-status");
  function poll() {
    fetch(box.getAttribute("data-status-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        bar.value = data.progress;
        text.textContent = data.progress + "%";
        status.textContent = data.status_label;
        if (data.finished) { window.location.reload(); } else { window.setTimeout(poll, 1500); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();

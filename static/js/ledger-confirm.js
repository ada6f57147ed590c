/* The entry pages' safety nets, nicer with a script; without it the server does the same with pages.
 * - A form marked data-submit-once sends once: its buttons are disabled while the request is on the
 *   way (the pressed button's name and value still go with it), so a double click is one request.
 * - A form or link marked data-confirm-dialog="<id>" opens that <dialog> (the same confirmation the
 *   page without the script shows on its own page) instead of going on; 取消 closes it. */
(function () {
  "use strict";

  function submitOnce(form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.sending = "1";
      var submitter = event.submitter;
      if (submitter && submitter.name) {
        // A disabled button is not sent: carry its name and value in a hidden field instead.
        var carried = document.createElement("input");
        carried.type = "hidden";
        carried.name = submitter.name;
        carried.value = submitter.value;
        carried.dataset.carried = "1";
        form.appendChild(carried);
      }
      // After this event: a button disabled now would not submit the form at all.
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (button) {
          button.disabled = true;
          button.setAttribute("aria-busy", "true");
        });
      }, 0);
    });
  }

  // Back to a page from the browser's cache: the buttons are usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      form.dataset.sending = "";
      form.querySelectorAll("[data-carried]").forEach(function (node) { node.remove(); });
      form.querySelectorAll("[aria-busy=true]").forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
      });
    });
  });

  document.querySelectorAll("form[data-submit-once]").forEach(submitOnce);

  function openDialog(id) {
    var dialog = document.getElementById(id);
    if (!dialog || typeof dialog.showModal !== "function") return false;
    dialog.showModal();
    var first = dialog.querySelector("button[type=submit]");
    if (first) first.focus();
    return true;
  }

  document.querySelectorAll("form[data-confirm-dialog]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (openDialog(form.dataset.confirmDialog)) event.preventDefault();
    });
  });
  document.querySelectorAll("a[data-confirm-dialog]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (openDialog(link.dataset.confirmDialog)) event.preventDefault();
    });
  });
  document.querySelectorAll("dialog [data-dialog-close]").forEach(function (node) {
    node.addEventListener("click", function (event) {
      event.preventDefault();
      node.closest("dialog").close();
    });
  });
})();

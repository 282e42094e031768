// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // GOV.UK error pattern: focus the error summary on load, and let its links
  // move focus to the field they name (not just scroll to it).
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    });
  }

  // Say at once when a chosen file is too large, instead of after a long upload.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
    var limit = Number(input.getAttribute("data-max-bytes"));
    var file = input.files && input.files[0];
    var tooLarge = file && file.size > limit;
    var note = document.getElementById(input.id + "-size");
    if (!note) {
      note = document.createElement("p");
      note.id = input.id + "-size";
      note.className = "error-message";
      note.setAttribute("role", "alert");
      input.parentNode.insertBefore(note, input);
    }
    note.textContent = tooLarge
      ? "The selected file must be smaller than " + Math.round(limit / 1048576) + " MB"
      : "";
    if (tooLarge) input.value = "";
  });
})();

// Warn before the draft's idle timeout (SPEC §5): a modal dialog that takes focus, with
// "Keep my draft" (extends it, nothing on the page is lost) and "Delete my draft now".
(function () {
  "use strict";
  var dialog = document.getElementById("expiry-dialog");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var warning = Number(dialog.getAttribute("data-warning"));
  var timers = [];

  function schedule(expiresIn) {
    timers.forEach(clearTimeout);
    timers = [
      setTimeout(function () { if (!dialog.open) dialog.showModal(); },
                 Math.max(0, expiresIn - warning) * 1000),
      // Past expiry, show what the server now says: the "draft has expired" page.
      setTimeout(function () { window.location.reload(); }, (expiresIn + 1) * 1000),
    ];
  }

  dialog.querySelector("[data-keep]").addEventListener("click", function () {
    var token = dialog.querySelector("input[name=csrf_token]").value;
    // Memory passed through the form travels with the request and comes back renewed.
    var fields = document.querySelectorAll("input[name=memory_state]");
    var sent = new FormData();
    if (fields.length) sent.append("memory_state", fields[0].value);
    fetch(dialog.getAttribute("data-keep-url"), {
      method: "POST", headers: { "X-CSRFToken": token }, body: sent, credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) { window.location.reload(); return null; }
      return response.json();
    }).then(function (body) {
      if (!body) return;
      if (body.memory_state) fields.forEach(function (field) { field.value = body.memory_state; });
      dialog.close();
      schedule(body.expires_in);
    });
  });

  schedule(Number(dialog.getAttribute("data-expires-in")));
})();

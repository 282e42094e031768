// Warn before the draft's idle timeout (SPEC §5): a modal dialog that takes focus, with
// "Keep my draft" (extends it, nothing on the page is lost) and "Delete my draft now". The
// time left counts down as it passes; Escape keeps the draft, as GOV.UK's timeout warning does.
(function () {
  "use strict";
  var dialog = document.getElementById("expiry-dialog");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var warning = Number(dialog.getAttribute("data-warning"));
  var shown = dialog.querySelector("[data-countdown]");
  var spoken = dialog.querySelector("[data-countdown-spoken]");
  var timers = [];
  var ticking = null;
  var deadline = 0;

  function inWords(seconds) {
    var minutes = Math.floor(seconds / 60), rest = seconds % 60;
    var parts = [];
    if (minutes) parts.push(minutes + (minutes === 1 ? " minute" : " minutes"));
    if (rest || !minutes) parts.push(rest + (rest === 1 ? " second" : " seconds"));
    return parts.join(" ");
  }

  function tick(opening) {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (shown) shown.textContent = inWords(left);
    // Screen readers hear the time left now and then, not every second (on opening, the
    // dialog's description says it).
    if (spoken && !opening && left % 30 === 0) {
      spoken.textContent = "Your draft will be deleted in " + inWords(left) + ".";
    }
  }

  function warn() {
    if (dialog.open) return;
    dialog.showModal();
    tick(true);
    ticking = setInterval(tick, 1000);
  }

  function schedule(expiresIn) {
    timers.forEach(clearTimeout);
    clearInterval(ticking);
    deadline = Date.now() + expiresIn * 1000;
    timers = [
      setTimeout(warn, Math.max(0, expiresIn - warning) * 1000),
      // Past expiry, show what the server now says: the "draft has expired" page.
      setTimeout(function () { window.location.reload(); }, (expiresIn + 1) * 1000),
    ];
  }

  function keep() {
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
  }

  dialog.querySelector("[data-keep]").addEventListener("click", keep);
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();  // closed once the server has kept the draft
    keep();
  });

  schedule(Number(dialog.getAttribute("data-expires-in")));
})();

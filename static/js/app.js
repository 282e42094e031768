// Progressive enhancement only: every page works without JavaScript. This file is on every
// page; what only some pages have is enhanced by files those pages load (templates' needs():
// files.js, expiry.js, count.js, passed.js).
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
})();

// Turning memory off asks first when it would discard answers: the same question the server
// answers without JavaScript (templates/memory_off.html), shown in a dialog over the page.
// Cancel and Escape close it, and every answer stays.
(function () {
  "use strict";
  var form = document.querySelector("form.memory-switch");
  if (!form || !window.fetch || typeof HTMLDialogElement !== "function") return;
  var mode = form.querySelector("input[name=memory]");
  if (!mode || mode.value !== "off") return;
  var asked = false;
  form.addEventListener("submit", function (event) {
    if (asked) return;
    event.preventDefault();
    fetch(form.action + "?ask=only", {
      method: "POST", body: new FormData(form), credentials: "same-origin",
    }).then(function (response) {
      if (response.status !== 200) { asked = true; form.submit(); return null; }
      return response.text();
    }).then(function (html) {
      if (html) ask(html);
    }).catch(function () { asked = true; form.submit(); });
  });

  function ask(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var title = page.querySelector("main h1");
    var question = page.getElementById("memory-off-question");
    if (!title || !question) { asked = true; form.submit(); return; }
    var dialog = document.createElement("dialog");
    dialog.className = "expiry-dialog memory-off-dialog";
    dialog.setAttribute("aria-labelledby", "memory-off-title");
    var heading = document.createElement("h2");
    heading.id = "memory-off-title";
    heading.textContent = title.textContent;
    dialog.append(heading, document.importNode(question, true));
    dialog.addEventListener("click", function (event) {
      if (!event.target.closest("[data-cancel]")) return;
      event.preventDefault();
      dialog.close();
    });
    dialog.addEventListener("close", function () { dialog.remove(); });
    document.body.appendChild(dialog);
    dialog.showModal();
  }
})();

// Memory passed through the form: a page of such a draft is the answer to the POST before
// it, so the address bar shows the address posted to, one step behind. Show the page's own
// address (data-page-url) instead, and keep the page's memory and what was typed with its
// entry in this tab's history (history.state): the entry is then no longer a POST, so Back,
// Forward and reload ask the server for the address, which cannot show the page without its
// memory (templates/engine/not_in_address.html); that page sends the memory kept here back,
// as the page's own Back button does, and the page comes back as it was left. Once the draft
// has ended, an entry that held it forgets it when it is shown again (static/js/ended.js).
(function () {
  "use strict";
  var KEY = "expenseWizardPage";
  var TYPED = "expense-wizard-typed:"; // sessionStorage: read once, by the page brought back
  var SKIPPED = ["csrf_token", "memory_state", "revision", "goto", "action", "move_to"];
  if (!window.history || typeof history.replaceState !== "function") return;

  var restore = document.querySelector("form[data-restore-page]");
  if (restore) {
    var kept = history.state && history.state[KEY];
    if (!kept || kept.url !== location.pathname || !kept.memory) return;
    restore.querySelector("input[name=memory_state]").value = kept.memory;
    try {
      var carried = { revision: kept.revision, typed: kept.typed || [] };
      sessionStorage.setItem(TYPED + kept.url, JSON.stringify(carried));
    } catch (e) {
      // Storage refused: the page comes back with its memory, without what was typed.
    }
    restore.submit(); // before the page has loaded: it takes this entry's place
    return;
  }

  var own = document.body.getAttribute("data-page-url");
  var form = document.getElementById("step-form");
  var memoryField = form && form.querySelector("input[name=memory_state]");
  if (!own || !memoryField) return;
  var revisionField = form.querySelector("input[name=revision]");
  var revision = revisionField ? revisionField.value : "";

  function fields() {
    return Array.prototype.filter.call(
      form.querySelectorAll("input[name], select[name], textarea[name]"),
      function (el) {
        return SKIPPED.indexOf(el.name) < 0 && ["hidden", "file", "submit", "button"].indexOf(el.type) < 0;
      });
  }

  function typedIn() {
    return fields().map(function (el) {
      var box = el.type === "checkbox" || el.type === "radio";
      return box ? [el.name, el.value, el.checked] : [el.name, el.value];
    });
  }

  function fill(typed) {
    var boxes = {}, values = {};
    typed.forEach(function (one) {
      if (one.length > 2) boxes[one[0] + "\n" + one[1]] = one[2];
      else (values[one[0]] = values[one[0]] || []).push(one[1]);
    });
    fields().forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        var key = el.name + "\n" + el.value;
        if (key in boxes) el.checked = boxes[key];
      } else if (values[el.name] && values[el.name].length) {
        el.value = values[el.name].shift();
      }
    });
  }

  // Only over the answers it was typed over: a page brought back later with newer answers
  // (another revision of the draft) shows those.
  try {
    var carried = JSON.parse(sessionStorage.getItem(TYPED + own) || "null");
    sessionStorage.removeItem(TYPED + own);
    if (carried && carried.revision === revision) fill(carried.typed);
  } catch (e) {
    // Nothing kept: the page as its memory shows it.
  }

  // Kept as it changes, not only when the page goes: Chromium ignores a change of
  // history.state made while a reload unloads the page. (Typing settles first: browsers
  // limit how often a page may call replaceState.)
  // The memory the page came with, or renewed by "Keep my draft" (its dialog closes then):
  // a field changed by hand (say, in developer tools) is refused by the server, and Back
  // must still bring the page's own memory.
  var memory = memoryField.value;
  var dialog = document.getElementById("expiry-dialog");
  if (dialog) {
    dialog.addEventListener("close", function () {
      memory = memoryField.value;
      keep();
    });
  }
  var kept = "";
  var settling = null;
  function keep() {
    clearTimeout(settling);
    var page = { url: own, memory: memory, revision: revision, typed: typedIn() };
    var now = JSON.stringify(page);
    if (now === kept && location.pathname === own) return;
    kept = now;
    var state = Object.assign({}, history.state);
    state[KEY] = page;
    history.replaceState(state, "", location.pathname === own ? location.href : own);
  }
  function soon() {
    clearTimeout(settling);
    settling = setTimeout(keep, 300);
  }
  keep();
  form.addEventListener("input", soon);
  form.addEventListener("change", keep);
  form.addEventListener("submit", keep);
  window.addEventListener("pagehide", keep);
  window.addEventListener("beforeunload", keep);
  setInterval(keep, 5000); // a memory renewed by "Keep my draft", a field filled in by the browser
})();

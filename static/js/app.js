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

  // A file over the limit is never dropped: the server refuses it on submit with its own
  // message, in the error summary, as without JavaScript (one source of truth).
  function tooLarge(input) {
    var file = input.files && input.files[0];
    return file && file.size > Number(input.getAttribute("data-max-bytes")) ? file : null;
  }

  // Say so at once too, in the place and form of the server's message. Any message already
  // beside the field was about the file chosen before, so it goes whatever the new choice.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
    var id = input.id + "-error";
    var old = document.getElementById(id);
    if (old) old.remove();
    var described = (input.getAttribute("aria-describedby") || "").split(" ")
      .filter(function (name) { return name && name !== id; });
    var wrong = !!tooLarge(input);
    if (wrong) {
      var megabytes = +(Number(input.getAttribute("data-max-bytes")) / 1048576).toPrecision(6);
      var note = document.createElement("p");
      note.id = id;
      note.className = "error-message";
      note.setAttribute("role", "alert");
      note.innerHTML = '<span class="visually-hidden">Error:</span> ';
      // Named like the server names it: the file of the item its fieldset's legend names.
      var legend = input.closest("fieldset") && input.closest("fieldset").querySelector("legend");
      var item = legend ? legend.textContent.trim() : "";
      var which = item ? "The file selected for " + item.charAt(0).toLowerCase() + item.slice(1)
        : "The selected file";
      note.append(which + " must be smaller than " + megabytes + " MB");
      input.parentNode.insertBefore(note, input);
      described.push(id);
    }
    input.classList.toggle("input-error", wrong);
    input.parentNode.classList.toggle("form-group-error", wrong);
    if (wrong) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
  });

  // Send only the first limit + 1 bytes of a file over the limit: all the server reads to
  // refuse it, so no long upload, and never a body over the server's own limit (that one is
  // refused unread, and nothing else typed on the page would arrive).
  document.addEventListener("submit", function (event) {
    event.target.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
      var file = tooLarge(input);
      if (!file) return;
      var head = file.slice(0, Number(input.getAttribute("data-max-bytes")) + 1);
      try {
        var sent = new DataTransfer();
        sent.items.add(new File([head], file.name, { type: file.type }));
        input.files = sent.files;
      } catch (e) {
        // An older browser sends the whole file: the server refuses it all the same.
      }
    });
  });
})();

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

// GOV.UK character count: what is left, as you type, under a textarea with a limit. The
// visible count changes at once; screen readers hear it once typing pauses, not per key.
(function () {
  "use strict";
  document.querySelectorAll(".character-count[data-maxlength]").forEach(function (group) {
    var limit = Number(group.getAttribute("data-maxlength"));
    var area = group.querySelector("textarea");
    var shown = group.querySelector(".character-count-message");
    if (!area || !shown) return;
    var spoken = document.createElement("p");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    group.appendChild(spoken);
    shown.setAttribute("aria-hidden", "true");
    var pause = null;

    function said() {
      // Line breaks count once, as the server counts them.
      var left = limit - area.value.replace(/\r\n/g, "\n").length;
      var n = Math.abs(left).toLocaleString("en");
      var noun = Math.abs(left) === 1 ? " character" : " characters";
      return left < 0 ? "You have " + n + noun + " too many" : "You have " + n + noun + " remaining";
    }

    function update() {
      shown.textContent = said();
      var over = area.value.replace(/\r\n/g, "\n").length > limit;
      shown.classList.toggle("over", over);
      clearTimeout(pause);
      pause = setTimeout(function () { spoken.textContent = said(); }, 1000);
    }

    area.addEventListener("input", update);
    shown.textContent = said();
    shown.classList.toggle("over", area.value.length > limit);
  });
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

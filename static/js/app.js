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

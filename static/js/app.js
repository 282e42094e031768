// Progressive enhancement only: every page works without this file.
// GOV.UK error pattern: focus the error summary on load, and let its links
// move focus to the field they name (not just scroll to it).
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus();
  });
})();

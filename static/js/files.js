// Receipt and attachment files (loaded where a page has a file input: templates' needs()).
(function () {
  "use strict";

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

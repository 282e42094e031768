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

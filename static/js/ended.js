// A page that says a draft has ended (submitted, deleted, expired), or the start page: the
// entry of this tab's history it is shown in may still hold the ended draft's memory and
// typing (app.js keeps them there when memory is passed through the form). Forget both, so
// nothing of the draft stays in the tab; a refused Submit, shown as its own page, keeps them.
(function () {
  "use strict";
  var KEY = "expenseWizardPage"; // app.js's names
  var TYPED = "expense-wizard-typed:";
  if (window.history && typeof history.replaceState === "function" && history.state && history.state[KEY]) {
    var rest = Object.assign({}, history.state);
    delete rest[KEY];
    history.replaceState(rest, "", location.href);
  }
  try {
    Object.keys(sessionStorage).forEach(function (key) {
      if (key.indexOf(TYPED) === 0) sessionStorage.removeItem(key);
    });
  } catch (e) {
    // No storage: nothing kept there.
  }
})();

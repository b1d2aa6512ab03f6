// Jisr console behaviour. No inline scripts anywhere (the Content-Security-Policy forbids them).
(function () {
  "use strict";
  // After a form comes back with errors, put the keyboard focus on the first invalid field.
  function focusFirstError(root) {
    var invalid = root.querySelector('[aria-invalid="true"]');
    if (invalid) { invalid.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { focusFirstError(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusFirstError(event.target); });
  // Buttons with data-confirm ask before submitting (withdrawing an alert, disabling a user).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) ||
      event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();

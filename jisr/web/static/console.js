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
  // File inputs with data-max-bytes refuse, before anything is sent, files larger in all than
  // the node accepts (the node checks too, but a form it refuses unread loses what was typed).
  document.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll("input[type=file][data-max-bytes]");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      var total = 0;
      for (var j = 0; j < input.files.length; j++) { total += input.files[j].size; }
      if (total <= Number(input.getAttribute("data-max-bytes"))) { continue; }
      event.preventDefault();
      var error = document.getElementById("e-" + input.name);
      if (!error) {
        error = document.createElement("p");
        error.className = "error";
        error.id = "e-" + input.name;
        input.parentNode.appendChild(error);
      }
      error.textContent = input.getAttribute("data-too-large");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "h-" + input.name + " " + error.id);
      input.focus();
      return;
    }
  });
})();

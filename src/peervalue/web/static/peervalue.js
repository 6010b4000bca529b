// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // While a calculation runs, say so and stop a second submission.
  document.querySelectorAll("form.calculator, form.save").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.name === "options.add") {
        return; // a new row for an option: the form comes back, nothing is calculated
      }
      var status = form.querySelector(".status");
      if (status) {
        status.textContent = "Calculating… this takes a few seconds.";
      }
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });

  // The own-estimate figure matters only when the effect is "our own estimate".
  var source = document.getElementById("f-evidence-source");
  var own = document.getElementById("f-evidence-saved-per-patient-year");
  if (source && own) {
    var box = own.closest(".field");
    var sync = function () {
      var needed = source.value === "own";
      box.classList.toggle("muted", !needed);
    };
    source.addEventListener("change", sync);
    sync();
  }

  // After a refused submission, take keyboard and screen-reader users to the summary.
  var summary = document.getElementById("errors");
  if (summary) {
    summary.focus();
  }
})();

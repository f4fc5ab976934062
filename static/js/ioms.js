// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // After a refused form, move focus to the error summary so screen reader and keyboard users
    // hear what went wrong first (the summary's links lead to each field).
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  });
})();

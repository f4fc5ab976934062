// Idle warning: IOMS_IDLE_WARNING_SECONDS before the server would end an idle session, a dialog
// offers to stay signed in. The server decides (signin/idle.py); this file only asks it how long
// is left (GET, which does not count as activity) and renews the session when asked (POST).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var dialog = document.querySelector("[data-idle-warning]");
    if (!dialog || typeof dialog.showModal !== "function") {
      return;
    }
    var statusUrl = dialog.getAttribute("data-status-url");
    var warnSeconds = parseInt(dialog.getAttribute("data-warn-seconds"), 10);
    var idleSeconds = parseInt(dialog.getAttribute("data-idle-seconds"), 10);
    var form = dialog.querySelector("[data-idle-form]");
    var countdown = dialog.querySelector("[data-idle-countdown]");
    var status = document.querySelector("[data-idle-status]");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var checkTimer = null;
    var tickTimer = null;
    var deadline = 0;

    function words(seconds) {
      var minutes = Math.floor(seconds / 60);
      var rest = seconds % 60;
      var parts = [];
      if (minutes) {
        parts.push(minutes + (minutes === 1 ? " minute" : " minutes"));
      }
      if (rest || !minutes) {
        parts.push(rest + (rest === 1 ? " second" : " seconds"));
      }
      return parts.join(" ");
    }

    function schedule(secondsLeft) {
      clearTimeout(checkTimer);
      checkTimer = setTimeout(check, Math.max(secondsLeft - warnSeconds, 0) * 1000);
    }

    function signedOut() {
      // The next request is the server's: it ends the session, records why, and shows the
      // sign-in page, which says so and brings the person back here afterwards.
      window.location.assign(window.location.href);
    }

    function tick() {
      var left = Math.max(Math.round((deadline - Date.now()) / 1000), 0);
      countdown.textContent = words(left);
      if (left <= 0) {
        clearInterval(tickTimer);
        setTimeout(signedOut, 1500);
      }
    }

    function warn(secondsLeft) {
      deadline = Date.now() + secondsLeft * 1000;
      tick();
      clearInterval(tickTimer);
      tickTimer = setInterval(tick, 1000);
      if (!dialog.open) {
        dialog.showModal();
      }
    }

    function check() {
      fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (!data.signed_in) {
            signedOut();
          } else if (data.seconds_left > warnSeconds) {
            schedule(data.seconds_left); // another tab kept the session going
          } else {
            warn(data.seconds_left);
          }
        })
        .catch(function () { schedule(warnSeconds + 30); });
    }

    function stay(event) {
      event.preventDefault();
      fetch(statusUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": token },
      })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (!data.signed_in) {
            signedOut();
            return;
          }
          clearInterval(tickTimer);
          dialog.close();
          status.textContent = "You are still signed in.";
          schedule(data.seconds_left);
        })
        .catch(function () { signedOut(); });
    }

    form.addEventListener("submit", stay);
    // Escape means the person is here: keep the session rather than hide the warning.
    dialog.addEventListener("cancel", stay);
    schedule(idleSeconds);
  });
})();

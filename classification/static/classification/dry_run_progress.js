// Keeps the dry-run page current while the task runs, without reloading it: every few seconds it
// fetches this same page again and puts the new progress in place (the status line is a polite
// live region, so the count is announced). When the dry run has finished it shows the result and
// moves the focus to its heading. Without this file the page offers a "Refresh now" link.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var region = document.querySelector("[data-dry-run-progress]");
    if (!region) {
      return;
    }
    var delay = Number(region.getAttribute("data-poll-seconds") || "3") * 1000;

    function showResult(page) {
      var main = document.querySelector("main");
      var next = page.querySelector("main");
      if (!main || !next) {
        return;
      }
      main.replaceChildren.apply(main, Array.prototype.slice.call(next.childNodes));
      document.title = page.title;
      var heading = main.querySelector("[data-dry-run-result]");
      if (heading) {
        heading.focus();
      }
    }

    function update(page) {
      var next = page.querySelector("[data-dry-run-progress]");
      if (!next) {
        showResult(page);
        return false;
      }
      var bar = region.querySelector("progress");
      var nextBar = next.querySelector("progress");
      if (bar && nextBar) {
        bar.max = nextBar.max;
        bar.value = nextBar.value;
        bar.textContent = nextBar.textContent;
      }
      var status = region.querySelector("[role=status]");
      var nextStatus = next.querySelector("[role=status]");
      if (status && nextStatus && status.textContent !== nextStatus.textContent) {
        status.textContent = nextStatus.textContent;
      }
      return true;
    }

    function poll() {
      fetch(window.location.href, {
        credentials: "same-origin",
        headers: { "X-IOMS-Poll": "dry-run" },
      })
        .then(function (response) {
          // Logged out or refused: stop and leave the page as it is ("Refresh now" still works).
          if (response.redirected || !response.ok) {
            return null;
          }
          return response.text();
        })
        .then(function (html) {
          if (html === null) {
            return;
          }
          var page = new DOMParser().parseFromString(html, "text/html");
          if (update(page)) {
            window.setTimeout(poll, delay);
          }
        })
        .catch(function () {
          // The server did not answer: try again more slowly; "Refresh now" still works.
          window.setTimeout(poll, delay * 3);
        });
    }

    window.setTimeout(poll, delay);
  });
})();

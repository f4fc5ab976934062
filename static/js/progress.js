// Feedback on slow work: signing in (several seconds under load) and PDFs (up to twelve seconds).
// Progressive enhancement: without this file the form still submits and the link still downloads.
//
// - The sign-in form (and any form whose submit button has data-busy-label="…"): after submit the
//   button reads "Signing in…" (or the label), is disabled against a second submit, and a polite
//   live region says the same to screen readers.
// - A link to a PDF (a path ending in ".pdf" or "/pdf/" with an optional version, or a link marked
//   data-pdf): activating it (click, Enter) fetches the PDF in the background while a live region
//   says "Preparing the PDF…", then saves it under the server's file name and says so. Anything
//   other than a PDF answer (an error page, the sign-in page after a time-out) is opened as a normal
//   visit, so the person sees the portal's own page.
(function () {
  "use strict";

  var PDF_PATH = /(\.pdf|\/pdf\/(\d+\/)?)$/;

  function liveRegion(id) {
    var region = document.getElementById(id);
    if (!region) {
      // Created empty when the page loads: a live region that appears with its text is often not read.
      region = document.createElement("p");
      region.id = id;
      region.className = "visually-hidden"; // for screen readers; sighted people see the button or link
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      var main = document.getElementById("main") || document.body;
      main.insertBefore(region, main.firstChild);
    }
    return region;
  }

  function say(region, text) {
    region.textContent = text;
  }

  // --- Forms: sign-in and any button marked data-busy-label --------------------------------------

  function busyButton(form) {
    var marked = form.querySelector("button[data-busy-label], input[type=submit][data-busy-label]");
    if (marked) {
      return { button: marked, label: marked.getAttribute("data-busy-label") };
    }
    var signIn = form.querySelector("input[name=username]") && form.querySelector("input[type=password]");
    var button = form.querySelector("button[type=submit], button:not([type]), input[type=submit]");
    if (signIn && button) {
      return { button: button, label: "Signing in…" };
    }
    return null;
  }

  function setLabel(button, text) {
    if (button.tagName === "INPUT") {
      button.value = text;
    } else {
      button.textContent = text;
    }
  }

  function watchForm(form) {
    var busy = busyButton(form);
    if (!busy) {
      return;
    }
    var button = busy.button;
    var original = button.tagName === "INPUT" ? button.value : button.textContent;
    var region = liveRegion("form-progress-status");
    var submitting = false;
    form.addEventListener("submit", function (event) {
      if (submitting) {
        event.preventDefault(); // a second press while the first is on its way
        return;
      }
      if (event.defaultPrevented) {
        return;
      }
      submitting = true;
      setLabel(button, busy.label);
      button.setAttribute("aria-disabled", "true");
      say(region, busy.label);
      // Disabled once the submission has started: a button disabled during the submit event would
      // leave its own name and value out of what is sent.
      window.setTimeout(function () {
        button.disabled = true;
      }, 0);
    });
    // Back to this page from the next one (the browser's back-forward cache): ready again.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        submitting = false;
        button.disabled = false;
        button.removeAttribute("aria-disabled");
        setLabel(button, original);
        say(region, "");
      }
    });
  }

  // --- PDF links ---------------------------------------------------------------------------------

  function isPdfLink(link) {
    if (link.hasAttribute("data-pdf")) {
      return true;
    }
    return link.origin === window.location.origin && PDF_PATH.test(link.pathname);
  }

  function fileName(response, fallback) {
    var disposition = response.headers.get("Content-Disposition") || "";
    var match = /filename="?([^";]+)"?/.exec(disposition);
    return match ? match[1] : fallback;
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var anchor = document.createElement("a");
    anchor.href = url;
    anchor.download = name;
    anchor.hidden = true;
    document.body.appendChild(anchor);
    anchor.click();
    anchor.remove();
    window.setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 60000);
  }

  function preparePdf(link) {
    var region = liveRegion("pdf-progress-status");
    if (link.getAttribute("aria-busy") === "true") {
      return; // already on its way
    }
    link.setAttribute("aria-busy", "true");
    say(region, "Preparing the PDF… This can take a few seconds.");
    // What sighted people see, next to the link they used (the live region above is read out).
    var shown = document.createElement("span");
    shown.className = "pdf-progress";
    shown.setAttribute("aria-hidden", "true");
    shown.textContent = " Preparing the PDF…";
    link.insertAdjacentElement("afterend", shown);
    var done = function () {
      link.removeAttribute("aria-busy");
      shown.remove();
    };
    window
      .fetch(link.href, { credentials: "same-origin", headers: { Accept: "application/pdf" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/pdf") !== 0) {
          // Not a PDF: show whatever the portal answers (a refusal, the sign-in page) as a visit would.
          window.location.assign(link.href);
          return null;
        }
        var name = fileName(response, "document.pdf");
        return response.blob().then(function (blob) {
          save(blob, name);
          say(region, "The PDF is ready: " + name + " has been downloaded.");
          done();
        });
      })
      .catch(function () {
        done();
        say(region, "The PDF could not be prepared. Try again, or contact the IOMS help desk if it keeps failing.");
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form"), watchForm);
    if (!window.fetch || !window.URL || !URL.createObjectURL) {
      return; // an old browser: links download as before
    }
    var hasPdfLinks = Array.prototype.some.call(document.querySelectorAll("a[href]"), isPdfLink);
    if (hasPdfLinks) {
      liveRegion("pdf-progress-status");
    }
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[href]") : null;
      // A new tab, a new window or "save link as" stays the browser's own business.
      if (!link || !isPdfLink(link) || event.defaultPrevented || event.button !== 0) {
        return;
      }
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || link.target) {
        return;
      }
      event.preventDefault();
      preparePdf(link);
    });
  });
})();

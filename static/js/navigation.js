// Finding one's way at any width. 1. The main menu at narrow widths (templates/base.html): behind a
// "Menu" button that opens and closes it. Progressive enhancement: without this file the button stays
// hidden and the whole menu shows. The width matches the small-screen rules of static/css/ioms.css
// (40rem, 640 px). 2. A wide table's box (.table-wrap) that scrolls sideways is made a named,
// focusable region, so keyboard users can scroll it too (WCAG 2.1.1; the box itself is CSS only).
(function () {
  "use strict";

  var NARROW = "(max-width: 40rem)";

  function enhance(nav) {
    var toggle = nav.querySelector("[data-site-nav-toggle]");
    var list = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (!toggle || !list || !window.matchMedia) {
      return;
    }
    var narrow = window.matchMedia(NARROW);

    function isOpen() {
      return toggle.getAttribute("aria-expanded") === "true";
    }

    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      list.hidden = !open;
    }

    // Narrow: the button shows and the menu starts closed. Wide: no button, the menu always shows.
    function fit() {
      if (narrow.matches) {
        toggle.hidden = false;
        setOpen(false);
      } else {
        toggle.hidden = true;
        toggle.setAttribute("aria-expanded", "false");
        list.hidden = false;
      }
    }

    // A <button>: Enter and Space open and close it as they do any button.
    toggle.addEventListener("click", function () {
      setOpen(!isOpen());
    });

    // Escape closes the open menu and puts focus back on its button.
    nav.addEventListener("keydown", function (event) {
      if ((event.key === "Escape" || event.key === "Esc") && narrow.matches && isOpen()) {
        setOpen(false);
        toggle.focus();
      }
    });

    if (narrow.addEventListener) {
      narrow.addEventListener("change", fit);
    } else if (narrow.addListener) {
      narrow.addListener(fit);
    }
    fit();
  }

  function tableName(box) {
    var caption = box.querySelector("caption");
    var text = caption ? caption.textContent.replace(/\s+/g, " ").trim() : "";
    return (text || "Table") + " (scrolls sideways)";
  }

  // Only a box that scrolls now: a focus stop on a table that fits would be a stop for nothing.
  function fitTables() {
    var boxes = document.querySelectorAll(".table-wrap");
    for (var i = 0; i < boxes.length; i += 1) {
      var box = boxes[i];
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("data-scroll-region")) {
        box.setAttribute("data-scroll-region", "");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", tableName(box));
      } else if (!scrolls && box.hasAttribute("data-scroll-region")) {
        box.removeAttribute("data-scroll-region");
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }

  function start() {
    var navs = document.querySelectorAll("[data-site-nav]");
    for (var i = 0; i < navs.length; i += 1) {
      enhance(navs[i]);
    }
    fitTables();
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(fitTables, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

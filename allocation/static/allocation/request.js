// Conditional reveals (GOV.UK radios): a radio with data-reveals="id" shows that element only
// while it is chosen. Without this file every follow-up field shows, each hint saying when it is needed.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var radios = document.querySelectorAll("input[type=radio][data-reveals]");
    function update() {
      radios.forEach(function (radio) {
        var target = document.getElementById(radio.getAttribute("data-reveals"));
        if (target) {
          target.hidden = !radio.checked;
          radio.setAttribute("aria-controls", target.id);
        }
      });
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    if (radios.length) {
      update();
    }
  });
})();

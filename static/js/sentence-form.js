// Progressive enhancement for the sentence form: hide the fields that do not apply to the chosen
// sentence type (each field's hint still says which types use it, and the server validates
// regardless), and offer "Add another conviction". Without scripts every field is shown.
(function () {
  "use strict";

  function fieldWrapper(input) {
    return input.closest(".field") || input.parentElement;
  }

  function hasValue(input) {
    if (input.type === "checkbox") return input.checked;
    return input.value.trim() !== "";
  }

  function applySentenceType(form) {
    var select = form.querySelector("[data-sentence-type]");
    if (!select) return;
    var type = select.value;
    form.querySelectorAll("[data-applies-to]").forEach(function (input) {
      var types = input.getAttribute("data-applies-to").split(" ");
      // A field that holds a value stays visible, so an error about it can be seen and fixed. A
      // date is three boxes in one wrapper: any of them holding a value keeps it.
      var boxes = fieldWrapper(input).querySelectorAll("[data-applies-to]");
      var show = !type || types.indexOf(type) !== -1 || Array.prototype.some.call(boxes, hasValue);
      fieldWrapper(input).hidden = !show;
    });
  }

  function setUpConvictions(form) {
    var section = form.querySelector("[data-convictions]");
    var template = form.querySelector("template[data-conviction-template]");
    var list = form.querySelector("[data-conviction-list]");
    var total = form.querySelector('input[name$="-TOTAL_FORMS"]');
    var max = form.querySelector('input[name$="-MAX_NUM_FORMS"]');
    if (!section || !template || !list || !total) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary";
    button.textContent = "Add another conviction";
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) return;
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fieldset = holder.firstElementChild;
      list.appendChild(fieldset);
      total.value = String(index + 1);
      var first = fieldset.querySelector("input, select, textarea");
      if (first) first.focus();
    });
    list.insertAdjacentElement("afterend", button);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-sentence-form]").forEach(function (form) {
      var select = form.querySelector("[data-sentence-type]");
      if (select) select.addEventListener("change", function () { applySentenceType(form); });
      applySentenceType(form);
      setUpConvictions(form);
    });
  });
})();

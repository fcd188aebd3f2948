/* Items of a request: add and remove rows of a Django formset without reloading the page.
   Self-hosted, no framework. Markup: [data-formset=PREFIX] holding [data-formset-list] of
   [data-formset-row]s, a <template data-formset-template> (the formset's empty form),
   [data-formset-add], [data-formset-remove] in each row and an aria-live [data-formset-status]. */
(function () {
  "use strict";

  var ATTRIBUTES = ["name", "id", "for", "aria-describedby"];

  function setUp(container) {
    var prefix = container.getAttribute("data-formset");
    var list = container.querySelector("[data-formset-list]");
    var template = container.querySelector("template[data-formset-template]");
    var total = container.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var maxInput = container.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    var max = maxInput ? parseInt(maxInput.value, 10) || 1000 : 1000;
    var addButton = container.querySelector("[data-formset-add]");
    var status = container.querySelector("[data-formset-status]");
    var indexPattern = new RegExp(prefix + "-(\\d+|__prefix__)-", "g");
    if (!list || !template || !total || !addButton) {
      return;
    }

    function rows() {
      return Array.prototype.slice.call(list.querySelectorAll("[data-formset-row]"));
    }

    function announce(text) {
      if (status) {
        status.textContent = text;
      }
    }

    // Give every row consecutive indexes (items-0-…, items-1-…) so Django reads them all.
    function renumber() {
      var all = rows();
      all.forEach(function (row, index) {
        row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (el) {
          ATTRIBUTES.forEach(function (attribute) {
            var value = el.getAttribute(attribute);
            if (value) {
              el.setAttribute(attribute, value.replace(indexPattern, prefix + "-" + index + "-"));
            }
          });
        });
        var number = row.querySelector("[data-formset-number]");
        if (number) {
          number.textContent = String(index + 1);
        }
        var remove = row.querySelector("[data-formset-remove]");
        if (remove) {
          remove.hidden = all.length < 2;
          remove.setAttribute("aria-label", remove.textContent.trim() + " " + (index + 1));
        }
      });
      total.value = String(all.length);
      addButton.disabled = all.length >= max;
    }

    addButton.addEventListener("click", function () {
      if (rows().length >= max) {
        return;
      }
      list.appendChild(document.importNode(template.content, true));
      renumber();
      var added = rows()[rows().length - 1];
      var first = added.querySelector("input, select, textarea");
      if (first) {
        first.focus();
      }
      announce(addButton.getAttribute("data-added") || "Item " + rows().length + " added.");
    });

    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-formset-remove]");
      if (!button || rows().length < 2) {
        return;
      }
      var row = button.closest("[data-formset-row]");
      var position = rows().indexOf(row);
      row.parentNode.removeChild(row);
      renumber();
      var remaining = rows();
      var next = remaining[Math.min(position, remaining.length - 1)];
      var focusTarget = next ? next.querySelector("input, select, textarea") : addButton;
      (focusTarget || addButton).focus();
      announce(addButton.getAttribute("data-removed") || "Item removed.");
    });

    addButton.hidden = false;
    renumber();
  }

  document.querySelectorAll("[data-formset]").forEach(setUp);
})();

/* Files are checked in the browser before they are uploaded (issue 16 point 6): a file of a
   type the portal refuses, an empty one, or one over the size limit is taken out of the choice
   at once, with a message naming it, instead of after a long upload. The server checks again
   (by content). The messages come from the page, in the page's language. */
(function () {
  "use strict";
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }
  document.querySelectorAll("input[type=file][data-file-check]").forEach(function (input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10) || 0;
    var allowed = (input.getAttribute("accept") || "").toLowerCase().split(",").filter(Boolean);
    var status = document.createElement("ul");
    status.className = "errorlist file-check-error";
    status.setAttribute("aria-live", "assertive");
    status.setAttribute("data-file-check-status", "");
    status.hidden = true;
    input.insertAdjacentElement("afterend", status);
    input.addEventListener("change", function () {
      var refused = [];
      var kept = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (file) {
        var values = {
          name: file.name,
          limit: input.getAttribute("data-max-label") || "",
          allowed: allowed.join(", ")
        };
        var dot = file.name.lastIndexOf(".");
        var extension = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
        if (allowed.length && allowed.indexOf(extension) < 0) {
          refused.push(fill(input.getAttribute("data-msg-type"), values));
        } else if (file.size === 0) {
          refused.push(fill(input.getAttribute("data-msg-empty"), values));
        } else if (limit && file.size > limit) {
          refused.push(fill(input.getAttribute("data-msg-size"), values));
        } else {
          kept.items.add(file);
        }
      });
      status.textContent = "";
      refused.forEach(function (message) {
        var item = document.createElement("li");
        item.textContent = message;
        status.appendChild(item);
      });
      status.hidden = refused.length === 0;
      if (refused.length) {
        input.files = kept.files;
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
      }
    });
  });
})();

/* A header checkbox that ticks every checkbox of its name on the page (the queue's select-all).
   Kept in step when single boxes change: ticked, unticked, or mixed. */
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var name = all.getAttribute("data-select-all");
    function boxes() {
      return Array.prototype.slice.call(
        document.querySelectorAll('input[type="checkbox"][name="' + name + '"]')
      );
    }
    function sync() {
      var list = boxes();
      var ticked = list.filter(function (box) { return box.checked; }).length;
      all.checked = list.length > 0 && ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
      all.disabled = list.length === 0;
    }
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
      sync();
    });
    boxes().forEach(function (box) { box.addEventListener("change", sync); });
    sync();
  });
})();

// Filtering findings, "/" to search, and every fold opened before printing. The page
// reads the same without this script.
(function () {
  "use strict";
  var text = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var count = document.getElementById("filter-count");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.finding"));
  function apply() {
    var needle = text.value.trim().toLowerCase();
    var wanted = status.value;
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!wanted || row.getAttribute("data-status") === wanted) &&
        (!needle || row.textContent.toLowerCase().indexOf(needle) !== -1);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.querySelectorAll("details.rule").forEach(function (rule) {
      var visible = rule.querySelectorAll("tr.finding:not([hidden])").length;
      if (needle || wanted) {
        rule.hidden = visible === 0;
        if (visible > 0) { rule.open = true; }
      } else {
        rule.hidden = false;
      }
    });
    count.textContent = (needle || wanted) ? shown + " of " + rows.length + " findings" : "";
  }
  text.addEventListener("input", apply);
  status.addEventListener("change", apply);
  document.addEventListener("keydown", function (e) {
    var tag = (e.target && e.target.tagName) || "";
    if (e.key === "/" && tag !== "INPUT" && tag !== "SELECT" && tag !== "TEXTAREA") {
      e.preventDefault();
      text.focus();
    }
  });
  // A link to a folded record or rule opens it.
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  // For the browser test: the script ran to its end.
  document.documentElement.setAttribute("data-ready", "true");
}());

// Free text: a live character counter under the answer box, counted as the server counts
// (line ends as one character, spaces at the ends left out). The counter's words come from
// the page in the worker's language: data-one for the "one" plural form, data-other else.
(function () {
  "use strict";
  var box = document.getElementById("free-text-answer");
  var out = box && document.getElementById(box.dataset.counter);
  if (!out) return;
  var rules = null;
  try { rules = new Intl.PluralRules(document.documentElement.lang || "en"); } catch (e) { rules = null; }
  function count() {
    var n = Array.from(box.value.replace(/\r\n/g, "\n").trim()).length;
    var form = rules && rules.select(n) === "one" ? out.dataset.one : out.dataset.other;
    out.textContent = (form || "%n").replace(/\d+/, String(n));
  }
  box.addEventListener("input", count);
  count();
})();

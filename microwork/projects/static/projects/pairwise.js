// Pairwise tasks: pick a side with the keyboard (1 or A, 2 or B, 3, 4) as well as by tap.
// Typing in the reason box is left alone; a chosen side asks for the reason when it is due.
(function () {
  "use strict";
  var root = document.getElementById("pairwise");
  if (!root) return;
  var radios = root.querySelectorAll("input[name=choice]");
  var reason = document.getElementById("pair-reason");
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.tagName === "TEXTAREA" || t.tagName === "SELECT" ||
        (t.tagName === "INPUT" && t.type !== "radio" && t.type !== "checkbox"))) return;
    var key = (e.key || "").toLowerCase();
    for (var i = 0; i < radios.length; i++) {
      if ((radios[i].dataset.keys || "").split(" ").indexOf(key) === -1) continue;
      e.preventDefault();
      radios[i].checked = true;
      radios[i].focus();
      radios[i].dispatchEvent(new Event("change", {bubbles: true}));
      if (reason && reason.required && !reason.value.trim()) reason.focus();
      return;
    }
  });
})();

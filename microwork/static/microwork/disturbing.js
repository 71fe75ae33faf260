// Disturbing content: "Tap to show" lifts the blur from this task's pictures and video
// (microwork/disturbing.css). A button, so a keyboard reaches it like a finger does.
(function () {
  "use strict";
  var area = document.getElementById("disturbing");
  var button = document.getElementById("disturbing-show");
  if (!area || !button) return;
  button.addEventListener("click", function () {
    area.classList.add("shown");
    button.setAttribute("aria-expanded", "true");
    var first = area.querySelector("video, .boxes-stage, input, button:not(#disturbing-show)");
    if (first) first.focus({preventScroll: true});
  });
})();

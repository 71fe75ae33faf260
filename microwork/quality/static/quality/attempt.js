// A test question: paid time is time the page was visible, not time a tab sat in the background.
(function () {
  "use strict";
  var form = document.getElementById("answer"), field = document.getElementById("active_ms");
  if (!form || !field) return;
  var counted = 0, since = document.hidden ? 0 : Date.now();
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      if (since) { counted += Date.now() - since; since = 0; }
    } else {
      since = Date.now();
    }
  });
  form.addEventListener("submit", function () {
    field.value = counted + (since ? Date.now() - since : 0);
  });
})();

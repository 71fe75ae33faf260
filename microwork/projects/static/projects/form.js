// The project form: a live preview of the instructions as workers will see them, and only the
// chosen interface's settings on show (without this script all are, each titled).
(function () {
  "use strict";
  var box = document.querySelector("[data-preview]");
  var out = document.getElementById("instructions-preview");
  var tokenField = document.querySelector("[name=csrfmiddlewaretoken]");
  var timer;
  function show() {
    var body = new URLSearchParams({instructions: box.value});
    fetch(out.dataset.previewUrl, {
      method: "POST", credentials: "same-origin", body: body,
      headers: {"X-CSRFToken": tokenField ? tokenField.value : ""}
    }).then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { if (html) out.innerHTML = html; })
      .catch(function () {});
  }
  if (box && out && out.dataset.previewUrl) {
    box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(show, 400); });
    show();
  }
  var choice = document.querySelector("select[name=interface]");
  function sections() {
    document.querySelectorAll("fieldset[data-interface]").forEach(function (set) {
      set.hidden = set.getAttribute("data-interface") !== choice.value;
    });
  }
  if (choice) { choice.addEventListener("change", sections); sections(); }
})();

// A project's results: while a re-estimate runs, refresh its status line every 2 s; reload once
// it finishes so the table shows the new labels.
(function () {
  "use strict";
  function poll() {
    var box = document.getElementById("run-status");
    if (!box || !box.hasAttribute("data-active")) return;
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (!html) return setTimeout(poll, 2000);
      box.outerHTML = html;
      var now = document.getElementById("run-status");
      if (now.hasAttribute("data-active")) setTimeout(poll, 2000);
      else if (now.dataset.status === "done") location.reload();
    }).catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 2000);
})();

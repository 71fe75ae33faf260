// A project's page: batches still being checked or inserted refresh their progress every 2 s.
(function () {
  "use strict";
  function poll() {
    var open = document.querySelectorAll(".batch-progress:not([data-finished])");
    if (!open.length) return;
    open.forEach(function (el) {
      fetch(el.dataset.url, {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html) el.outerHTML = html; })
        .catch(function () {});
    });
    setTimeout(poll, 2000);
  }
  setTimeout(poll, 2000);
})();

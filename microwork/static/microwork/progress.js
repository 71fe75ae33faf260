// A long job's progress on the page that waits on it (an upload's batches, the approval of
// every pending answer): each element with data-progress and not yet data-finished is
// replaced every 2 s by the fragment at its data-url, until the fragment says it is finished.
(function () {
  "use strict";
  function poll() {
    var open = document.querySelectorAll("[data-progress]:not([data-finished])");
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

// The review page: while every pending answer is being approved in the background, its
// progress refreshes every 2 s until the job is over.
(function () {
  "use strict";
  function poll() {
    var el = document.querySelector(".job-progress:not([data-finished])");
    if (!el) return;
    fetch(el.dataset.url, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html) el.outerHTML = html; })
      .catch(function () {});
    setTimeout(poll, 2000);
  }
  setTimeout(poll, 2000);
})();

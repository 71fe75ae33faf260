// Photo collection: the camera (or a file chooser on a computer) gives a picture, shown at
// once and uploaded through worker_upload.js; the preview turns into the stored photo, as the
// server keeps it (turned upright, without location or device details), once it is in.
(function () {
  "use strict";
  var el = document.querySelector('[data-worker-file="photo"]');
  if (!el || !window.microworkUpload) return;
  var input = el.querySelector("input[type=file]"), preview = el.querySelector(".photo-preview");
  var local = null;
  function show(src) {
    if (local && local !== src) { URL.revokeObjectURL(local); local = null; }
    preview.src = src;
    preview.hidden = false;
  }
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file) return;
    local = URL.createObjectURL(file);
    show(local);
    window.microworkUpload.send("photo", file);
  });
  el.addEventListener("worker-file", function (e) {
    if (e.detail.state === "complete") show("/api/work/files/" + encodeURIComponent(e.detail.ref));
    if (e.detail.state === "refused") { preview.hidden = true; input.value = ""; }
  });
})();

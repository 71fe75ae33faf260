// Voice recording: record, stop, play back, record again; the recording is uploaded through
// worker_upload.js as soon as it stops. The browser picks its own format: WebM/Opus on
// Chrome and Android, MP4/AAC on Safari (iOS); the server reads either.
(function () {
  "use strict";
  var el = document.querySelector('[data-worker-file="recording"]');
  if (!el || !window.microworkUpload) return;
  var start = el.querySelector("[data-recorder-start]"), stop = el.querySelector("[data-recorder-stop]");
  var time = el.querySelector("[data-recorder-time]"), playback = el.querySelector("[data-recorder-playback]");
  var state = el.querySelector("[data-worker-file-state]");
  var maxSeconds = parseInt(el.dataset.maxSeconds || "30", 10);
  var TYPES = ["audio/webm;codecs=opus", "audio/mp4", "audio/ogg;codecs=opus", "audio/webm"];
  var recorder = null, stream = null, chunks = [], began = 0, ticker = null, local = null;

  function type() {
    if (!window.MediaRecorder || !MediaRecorder.isTypeSupported) return "";
    for (var i = 0; i < TYPES.length; i++) if (MediaRecorder.isTypeSupported(TYPES[i])) return TYPES[i];
    return "";
  }
  function clock() {
    var s = Math.floor((Date.now() - began) / 1000);
    time.textContent = Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
    if (s >= maxSeconds) finish();
  }
  function play(src) {
    if (local && local !== src) { URL.revokeObjectURL(local); local = null; }
    playback.src = src;
    playback.hidden = false;
  }
  function finish() {
    if (recorder && recorder.state !== "inactive") recorder.stop();
    clearInterval(ticker);
    stop.disabled = true;
  }
  start.addEventListener("click", function () {
    if (!navigator.mediaDevices || !window.MediaRecorder) { state.textContent = el.dataset.noMicrophone; return; }
    start.disabled = true;
    navigator.mediaDevices.getUserMedia({audio: true}).then(function (s) {
      stream = s;
      chunks = [];
      var chosen = type();
      recorder = chosen ? new MediaRecorder(stream, {mimeType: chosen}) : new MediaRecorder(stream);
      recorder.addEventListener("dataavailable", function (e) { if (e.data && e.data.size) chunks.push(e.data); });
      recorder.addEventListener("stop", function () {
        stream.getTracks().forEach(function (t) { t.stop(); });
        var blob = new Blob(chunks, {type: (recorder.mimeType || chosen || "audio/webm").split(";")[0]});
        local = URL.createObjectURL(blob);
        play(local);
        start.disabled = false;
        window.microworkUpload.send("recording", blob);
      });
      recorder.start(1000);
      began = Date.now();
      clock();
      ticker = setInterval(clock, 250);
      stop.disabled = false;
      playback.hidden = true;
      state.textContent = el.dataset.recordingText;
    }, function () {
      start.disabled = false;
      state.textContent = el.dataset.noMicrophone;
    });
  });
  stop.addEventListener("click", finish);
  el.addEventListener("worker-file", function (e) {
    if (e.detail.state === "complete" && e.detail.restored) play("/api/work/files/" + encodeURIComponent(e.detail.ref));
  });
})();

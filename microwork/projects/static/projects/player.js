// The player of audio and video tasks: play/pause, rewind, frame steps, speed, and keyboard
// shortcuts that work while the worker types (Ctrl+Space or Esc, Ctrl+arrows), so a
// transcriber never leaves the text box. Label radios answer to the number keys. Typing saves
// the draft after a pause (task.js saves on "change"). No framework.
(function () {
  "use strict";
  var d = document;
  var box = d.querySelector("[data-player]");
  if (!box) return;
  var media = box.querySelector("[data-player-media]");
  if (!media) return;
  var toggle = box.querySelector("[data-player-toggle]");
  var time = box.querySelector("[data-player-time]");
  var rates = Array.prototype.slice.call(box.querySelectorAll("[data-player-rate]"));
  var frame = parseFloat(box.dataset.frame || "0");

  function clock(s) {
    s = Math.max(0, Math.floor(s || 0));
    return Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
  }
  function showTime() {
    if (!time) return;
    var total = isFinite(media.duration) ? " / " + clock(media.duration) : "";
    time.textContent = clock(media.currentTime) + total;
  }
  function showState() {
    var playing = !media.paused;
    box.dataset.state = playing ? "playing" : "paused";
    if (toggle) {
      toggle.textContent = playing ? box.dataset.pauseText : box.dataset.playText;
      toggle.setAttribute("aria-pressed", playing ? "true" : "false");
    }
  }
  function playPause() {
    if (media.paused) {
      var p = media.play();
      if (p && p.catch) p.catch(function () { showState(); });
    } else {
      media.pause();
    }
    showState();
  }
  function seek(by) {
    var end = isFinite(media.duration) ? media.duration : Infinity;
    media.currentTime = Math.min(end, Math.max(0, media.currentTime + by));
    showTime();
  }
  function setRate(rate) {
    media.playbackRate = rate;
    media.defaultPlaybackRate = rate;
    box.dataset.rate = String(rate);
    rates.forEach(function (b) {
      b.setAttribute("aria-pressed", parseFloat(b.dataset.playerRate) === rate ? "true" : "false");
    });
  }
  function stepRate(dir) {
    var values = rates.map(function (b) { return parseFloat(b.dataset.playerRate); });
    var i = values.indexOf(media.playbackRate);
    if (i < 0) i = values.indexOf(1);
    i = Math.min(values.length - 1, Math.max(0, i + dir));
    if (values.length) setRate(values[i]);
  }
  function frameStep(dir) {
    if (!frame) return;
    media.pause();
    showState();
    seek(dir * frame);
  }
  function changed(el) { el.dispatchEvent(new Event("change", {bubbles: true})); }

  if (toggle) toggle.addEventListener("click", playPause);
  box.querySelectorAll("[data-player-back]").forEach(function (b) {
    b.addEventListener("click", function () { seek(-parseFloat(b.dataset.playerBack)); });
  });
  box.querySelectorAll("[data-player-step]").forEach(function (b) {
    b.addEventListener("click", function () { frameStep(parseInt(b.dataset.playerStep, 10)); });
  });
  rates.forEach(function (b) {
    b.addEventListener("click", function () { setRate(parseFloat(b.dataset.playerRate)); });
  });
  ["play", "pause", "ended"].forEach(function (e) { media.addEventListener(e, showState); });
  media.addEventListener("timeupdate", showTime);
  media.addEventListener("loadedmetadata", function () {
    var start = parseFloat(box.dataset.start || "0");
    if (start > 0) media.currentTime = start;
    box.dataset.loaded = "true";
    showTime();
  });
  if (media.readyState >= 1) box.dataset.loaded = "true";
  setRate(1);
  showState();

  // The moment marked in the clip (video: "where the problem is").
  d.querySelectorAll("[data-player-mark]").forEach(function (b) {
    b.addEventListener("click", function () {
      var input = d.getElementById(b.dataset.playerMark);
      if (!input) return;
      media.pause();
      input.value = (Math.round(media.currentTime * 100) / 100).toString();
      changed(input);
    });
  });

  // A transcript: [inaudible] at the cursor; the draft is saved a moment after typing stops.
  var text = d.querySelector("[data-player-typing]");
  if (text) {
    var pause = null;
    text.addEventListener("input", function () {
      clearTimeout(pause);
      pause = setTimeout(function () { changed(text); }, 1200);
    });
    d.querySelectorAll("[data-player-insert]").forEach(function (b) {
      b.addEventListener("click", function () {
        var mark = b.dataset.playerInsert, v = text.value;
        var at = typeof text.selectionStart === "number" ? text.selectionStart : v.length;
        var before = v.slice(0, at), after = v.slice(text.selectionEnd || at);
        if (before && !/\s$/.test(before)) mark = " " + mark;
        if (after && !/^\s/.test(after)) mark = mark + " ";
        text.value = before + mark + after;
        text.focus();
        text.selectionStart = text.selectionEnd = before.length + mark.length;
        changed(text);
      });
    });
  }

  var keys = Array.prototype.slice.call(d.querySelectorAll("[data-player-key]"));
  function typing(el) {
    if (!el) return false;
    if (el.tagName === "INPUT") return !/^(radio|checkbox|button|submit)$/.test(el.type);
    return el.isContentEditable || /^(TEXTAREA|SELECT)$/.test(el.tagName);
  }
  d.addEventListener("keydown", function (e) {
    if (e.altKey || e.metaKey) return;
    var k = e.key, handled = true;
    if (e.ctrlKey) {
      if (k === " " || k === "Spacebar") playPause();
      else if (k === "ArrowLeft") seek(-5);
      else if (k === "ArrowRight") seek(5);
      else if (k === "ArrowUp") stepRate(1);
      else if (k === "ArrowDown") stepRate(-1);
      else handled = false;
    } else if (k === "Escape") {
      playPause();
    } else if (typing(e.target)) {
      handled = false;
    } else if (k === " " && !/^(BUTTON|A|SUMMARY|INPUT)$/.test(e.target.tagName)) {
      playPause();
    } else if ((k === "ArrowLeft" || k === "ArrowRight") && frame) {
      frameStep(k === "ArrowLeft" ? -1 : 1);
    } else if (/^[1-9]$/.test(k) && keys[parseInt(k, 10) - 1]) {
      var radio = keys[parseInt(k, 10) - 1];
      radio.checked = true;
      radio.focus();
      changed(radio);
    } else {
      handled = false;
    }
    if (handled) e.preventDefault();
  });
})();

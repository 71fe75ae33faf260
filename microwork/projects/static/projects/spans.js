// Text spans: the worker picks a label, then marks a span from one word to another, by touch
// (tap the first word, then the last) or keyboard (arrows move between words, Enter or Space
// starts and ends a mark, Shift+arrows extend it, 1–9 pick a label, Escape cancels). Tapping
// a marked word removes its mark. The spans live as JSON in the form's `spans` field, so the
// page's submit, draft and give-back work as for any kind (and a draft brings them back).
(function () {
  "use strict";
  var d = document;
  var box = d.getElementById("spans-text");
  var field = d.getElementById("spans-answer");
  if (!box || !field) return;
  var words = Array.prototype.slice.call(box.querySelectorAll(".w"));
  var buttons = Array.prototype.slice.call(d.querySelectorAll(".span-label"));
  var list = d.getElementById("spans-list");
  var state = d.getElementById("spans-state");
  var byStart = {}, byEnd = {};
  words.forEach(function (w, i) {
    w.dataset.i = i;
    byStart[w.dataset.start] = i;
    byEnd[w.dataset.end] = i;
  });
  var labels = {};
  buttons.forEach(function (b) { labels[b.dataset.label] = b; });
  var current = buttons.length ? buttons[0].dataset.label : null;
  var spans = []; // {label, first, last} as word indexes, in text order
  var anchor = null, focus = 0;

  function say(key, text) {
    if (state) state.textContent = (state.dataset[key] || "").replace("{word}", text || "");
  }
  function wordsText(first, last) {
    return words.slice(first, last + 1).map(function (w) { return w.textContent; }).join(" ");
  }
  function colour(label) {
    var b = labels[label];
    var m = b && /lab-\d+/.exec(b.className);
    return m ? m[0] : "lab-7";
  }
  function spanAt(i) {
    for (var k = 0; k < spans.length; k++) if (spans[k].first <= i && i <= spans[k].last) return k;
    return -1;
  }

  function render() {
    words.forEach(function (w) { w.className = "w"; });
    box.querySelectorAll(".span-tag").forEach(function (t) { t.remove(); });
    spans.forEach(function (s) {
      for (var i = s.first; i <= s.last; i++) {
        words[i].classList.add("marked", colour(s.label));
        if (i === s.first) words[i].classList.add("first");
        if (i === s.last) words[i].classList.add("last");
      }
      var tag = d.createElement("span");
      tag.className = "span-tag " + colour(s.label);
      tag.setAttribute("aria-hidden", "true");
      tag.textContent = s.label;
      words[s.last].after(tag);
    });
    if (anchor !== null) {
      var lo = Math.min(anchor, focus), hi = Math.max(anchor, focus);
      for (var i = lo; i <= hi; i++) words[i].classList.add("pending");
    }
    words.forEach(function (w, i) {
      w.tabIndex = i === focus ? 0 : -1;
      var k = spanAt(i);
      if (k >= 0) w.setAttribute("aria-label", w.textContent + " (" + (labels[spans[k].label] ? labels[spans[k].label].dataset.text : spans[k].label) + ")");
      else w.removeAttribute("aria-label");
    });
    if (list) {
      list.textContent = "";
      spans.forEach(function (s, k) {
        var li = d.createElement("li");
        var tag = d.createElement("span");
        tag.className = "span-tag " + colour(s.label);
        tag.textContent = labels[s.label] ? labels[s.label].dataset.text : s.label;
        var rm = d.createElement("button");
        rm.type = "button";
        rm.className = "secondary span-remove";
        rm.textContent = list.dataset.remove || "×";
        rm.addEventListener("click", function () { remove(k); });
        li.append(tag, " ", wordsText(s.first, s.last), " ", rm);
        list.append(li);
      });
      if (!spans.length) {
        var none = d.createElement("li");
        none.className = "muted";
        none.textContent = list.dataset.none || "";
        list.append(none);
      }
    }
  }

  function store() {
    field.value = JSON.stringify(spans.map(function (s) {
      return {label: s.label, start: +words[s.first].dataset.start, end: +words[s.last].dataset.end};
    }));
    field.dispatchEvent(new Event("change", {bubbles: true}));
  }
  function remove(k) {
    var s = spans[k];
    spans.splice(k, 1);
    say("removed", wordsText(s.first, s.last));
    render(); store();
  }
  function add(first, last) {
    if (!current) return;
    spans = spans.filter(function (s) { return s.last < first || s.first > last; });
    spans.push({label: current, first: first, last: last});
    spans.sort(function (a, b) { return a.first - b.first; });
    say("added", wordsText(first, last));
    render(); store();
  }
  // Tap or Enter on word i: start a mark, end it, or remove the mark under it.
  function act(i) {
    focus = i;
    if (anchor === null) {
      var k = spanAt(i);
      if (k >= 0) { remove(k); return; }
      anchor = i;
      say("started", words[i].textContent);
      render();
      return;
    }
    var first = Math.min(anchor, i), last = Math.max(anchor, i);
    anchor = null;
    add(first, last);
  }
  function choose(label) {
    if (!labels[label]) return;
    current = label;
    buttons.forEach(function (b) { b.setAttribute("aria-checked", b.dataset.label === label ? "true" : "false"); });
  }
  function moveTo(i) {
    focus = Math.max(0, Math.min(words.length - 1, i));
    render();
    words[focus].focus();
  }

  buttons.forEach(function (b) {
    b.addEventListener("click", function () { choose(b.dataset.label); });
  });
  box.addEventListener("click", function (e) {
    var w = e.target.closest && e.target.closest(".w");
    if (w) act(+w.dataset.i);
  });
  box.addEventListener("keydown", function (e) {
    var w = e.target.closest && e.target.closest(".w");
    if (!w) return;
    var i = +w.dataset.i;
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      e.preventDefault();
      if (e.shiftKey && anchor === null) { anchor = i; say("started", words[i].textContent); }
      moveTo(i + (e.key === "ArrowRight" ? 1 : -1));
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      act(i);
      words[focus].focus();
    } else if (e.key === "Escape" && anchor !== null) {
      e.preventDefault();
      anchor = null;
      say("cancelled");
      render();
    } else if (e.key === "Home" || e.key === "End") {
      e.preventDefault();
      moveTo(e.key === "Home" ? 0 : words.length - 1);
    }
  });
  // Number keys pick a label anywhere on the page but in a text box.
  d.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || !/^[1-9]$/.test(e.key)) return;
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable)) return;
    var b = buttons[+e.key - 1];
    if (b) { e.preventDefault(); choose(b.dataset.label); }
  });

  // A draft or a refused answer comes back: keep the spans that still fit the words.
  try {
    JSON.parse(field.value || "[]").forEach(function (s) {
      var first = byStart[s.start], last = byEnd[s.end];
      if (first === undefined || last === undefined || last < first || !labels[s.label]) return;
      for (var k = 0; k < spans.length; k++) if (!(spans[k].last < first || spans[k].first > last)) return;
      spans.push({label: s.label, first: first, last: last});
    });
    spans.sort(function (a, b) { return a.first - b.first; });
  } catch (err) { spans = []; }
  render();
})();

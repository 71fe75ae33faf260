// The worker's task page: counts visible time, saves the draft as the worker goes, shows the
// time left; on the waiting page, checks in every round. No framework, a few hundred bytes.
(function () {
  "use strict";
  var d = document;
  function csrf(form) {
    var i = form && form.querySelector("[name=csrfmiddlewaretoken]");
    return i ? i.value : "";
  }
  function send(method, url, body, token) {
    return fetch(url, {
      method: method, credentials: "same-origin", keepalive: true,
      headers: {"Content-Type": "application/json", "X-CSRFToken": token},
      body: JSON.stringify(body)
    });
  }

  var form = d.getElementById("task-form");
  if (form) {
    // Visible time only: a task left in a background tab is not work.
    var base = parseInt(form.dataset.activeMs || "0", 10), counted = 0, since = null;
    function start() { if (since === null && d.visibilityState === "visible") since = Date.now(); }
    function stop() { if (since !== null) { counted += Date.now() - since; since = null; } }
    function total() { return base + counted + (since === null ? 0 : Date.now() - since); }
    start();

    function draft() {
      var names = {}, out = null;
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.type === "hidden" || el.type === "submit") return;
        if (!(el.name in names)) names[el.name] = el.type === "checkbox" ? [] : null;
        if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
        if (el.type === "checkbox") names[el.name].push(el.value); else names[el.name] = el.value;
      });
      var keys = Object.keys(names);
      out = keys.length === 1 ? names[keys[0]] : names;
      return out;
    }
    var state = d.getElementById("draft-state"), timer = null, sent = false;
    function save() {
      timer = null;
      // Once the answer is sent the lease is closed: a draft now (the page hiding as the next
      // one loads) would only be refused.
      if (sent) return;
      send("PUT", form.dataset.draftUrl, {draft: draft(), active_ms: Math.round(total())}, csrf(form))
        .then(function (r) { if (state) state.textContent = r.ok ? state.dataset.saved || "✓" : ""; })
        .catch(function () {});
    }
    form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(save, 400); });
    d.addEventListener("visibilitychange", function () {
      if (d.visibilityState === "visible") { start(); } else { stop(); save(); }
    });
    form.addEventListener("submit", function (e) {
      form.elements.active_ms.value = Math.round(total());
      sent = true;
      clearTimeout(timer);
      // A kind's own check may still stop the post; then drafts go on.
      setTimeout(function () { if (e.defaultPrevented) sent = false; }, 0);
    });

    var left = d.getElementById("time-left");
    if (left) {
      var end = Date.now() + 1000 * parseInt(left.dataset.secondsLeft, 10);
      setInterval(function () {
        var s = Math.max(0, Math.round((end - Date.now()) / 1000));
        var clock = Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
        left.textContent = (left.dataset.words || "{time}").replace("{time}", clock);
      }, 1000);
    }
  }

  var wait = d.getElementById("waiting");
  if (wait) {
    // Checks in when the server says (every round, less often while new work waits for its
    // first round); a failed check-in is retried a round later.
    var token = csrf(wait.querySelector("form")), every = parseInt(wait.dataset.every, 10);
    function checkIn() {
      send("POST", wait.dataset.claimUrl, {}, token).then(function (r) { return r.json(); })
        .then(function (j) {
          if (j.state === "assigned") location.href = wait.dataset.taskUrl.replace("/0/", "/" + j.assignment.id + "/");
          else if (j.state === "waiting") {
            d.getElementById("waiting-state").textContent = j.waiting.explanation;
            setTimeout(checkIn, 1000 * j.waiting.retry_after_seconds);
          }
          // Run dry or refused: the waiting page itself says why (and offers "tell me").
          else location.reload();
        }).catch(function () { setTimeout(checkIn, 1000 * every); });
    }
    setTimeout(checkIn, 1000 * every);
  }
})();

// Keyboard shortcuts on a task page: digits pick the nth choice (a radio is chosen, a
// checkbox ticked or unticked), Enter sends the answer. Only when nothing else is typing:
// inside a text box, a list, or a kind's own drawing area the keys keep their usual meaning,
// and a kind with its own keys (pairwise) is left to them.
(function () {
  "use strict";
  var d = document, form = d.getElementById("task-form");
  if (!form || d.getElementById("pairwise")) return;
  var choices = form.querySelectorAll("fieldset.choices input[type=radio], fieldset.choices input[type=checkbox]");
  var hint = d.getElementById("task-keys");
  if (hint && choices.length) hint.hidden = false;
  for (var i = 0; i < choices.length && i < 9; i++) {
    var label = choices[i].closest("label");
    if (label) {
      var k = d.createElement("kbd");
      k.setAttribute("aria-hidden", "true");
      k.textContent = String(i + 1);
      label.insertBefore(k, label.firstChild);
    }
  }
  function free(t) {
    // The page itself, or one of the choices: a key there is not typing.
    if (!t || t === d.body || t === d.documentElement) return true;
    return t.tagName === "INPUT" && (t.type === "radio" || t.type === "checkbox") && form.contains(t);
  }
  d.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || !free(e.target)) return;
    if (/^[1-9]$/.test(e.key) && choices.length) {
      var input = choices[parseInt(e.key, 10) - 1];
      if (!input) return;
      e.preventDefault();
      input.checked = input.type === "radio" ? true : !input.checked;
      input.focus();
      input.dispatchEvent(new Event("change", {bubbles: true}));
    } else if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  });
})();

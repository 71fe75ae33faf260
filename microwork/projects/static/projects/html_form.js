// A requester's HTML form: it sits in a sandboxed frame that runs no script, so this page
// reads its controls and keeps the platform form's copies of them (hidden inputs of the same
// names) up to date. The platform's Submit, timer and draft saving then work as for any kind:
// a change in the frame is announced to the platform form as a change of its own.
(function () {
  "use strict";
  var d = document, each = Array.prototype.forEach;
  each.call(d.querySelectorAll("iframe[data-html-form]"), function (frame) {
    var form = frame.closest("form"), box = frame.nextElementSibling;
    if (!form || !box) return;
    var mirrors = box.querySelectorAll("input");
    frame.style.width = "100%";
    frame.style.border = "0";
    function doc() {
      try { return frame.contentDocument; } catch (e) { return null; }
    }
    function valueOf(m, els) {
      var on = false, text = "";
      each.call(els, function (el) {
        if (el.tagName === "SELECT") {
          each.call(el.options, function (o) {
            if (o.selected && o.value === m.value) on = true;
          });
          if (el.selectedIndex >= 0 && !el.multiple) text = el.value;
        } else if (el.type === "checkbox") {
          if (el.checked && (m.dataset.kind === "boolean" || el.value === m.value)) on = true;
        } else if (el.type === "radio") {
          if (el.checked) text = el.value;
        } else {
          text = el.value;
        }
      });
      return m.type === "checkbox" ? on : text;
    }
    function sync(announce) {
      var fd = doc(), changed = false;
      if (!fd || !fd.body) return;
      each.call(mirrors, function (m) {
        var v = valueOf(m, fd.getElementsByName(m.name));
        if (m.type === "checkbox" ? m.checked !== v : m.value !== v) {
          if (m.type === "checkbox") m.checked = v; else m.value = v;
          changed = true;
        }
      });
      if (changed && announce) form.dispatchEvent(new Event("change", {bubbles: true}));
    }
    function fit() {
      var fd = doc();
      if (fd && fd.documentElement) frame.style.height = fd.documentElement.scrollHeight + 4 + "px";
    }
    function hook() {
      var fd = doc();
      if (!fd) return;
      sync(false);
      fit();
      fd.addEventListener("input", function () { sync(true); });
      fd.addEventListener("change", function () { sync(true); fit(); });
    }
    frame.addEventListener("load", hook);
    var ready = doc();
    if (ready && ready.readyState === "complete" && ready.body) hook();
    // Belt and braces: whatever the browser does with events in a script-less frame, the
    // copies catch up within a second or two.
    setInterval(function () { sync(true); }, 1500);
    window.addEventListener("resize", fit);
    form.addEventListener("submit", function (e) {
      sync(false);
      var fd = doc();
      if (!fd) return;
      var bad = null;
      each.call(fd.querySelectorAll("input,select,textarea"), function (el) {
        if (!bad && !el.checkValidity()) bad = el;
      });
      if (bad) {
        e.preventDefault();
        if (bad.reportValidity) bad.reportValidity(); else bad.focus();
      }
    });
  });
})();

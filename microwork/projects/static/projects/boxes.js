// The bounding-boxes task: boxes drawn by dragging on the picture (mouse, pen or finger),
// polygons by tapping their points, or either added and moved with the keyboard. The shapes
// live as JSON in the form's "answer" field, so the page's own submit, timer and draft save
// (work/task.js) apply to them; coordinates are fractions (0–1) of the picture.
(function () {
  "use strict";
  var root = document.getElementById("boxes");
  if (!root) return;
  var NS = "http://www.w3.org/2000/svg";
  var stage = root.querySelector(".boxes-stage"), img = stage.querySelector("img");
  var svg = stage.querySelector("svg"), field = root.querySelector("textarea[name=answer]");
  var list = root.querySelector(".boxes-list"), status = root.querySelector(".boxes-status");
  var mode = root.dataset.mode || "boxes";
  var fewest = parseInt(root.dataset.min || "0", 10), most = parseInt(root.dataset.max || "50", 10);
  var colours = JSON.parse(root.dataset.colours || "{}");
  var labelButtons = [].slice.call(root.querySelectorAll(".boxes-label"));
  var toolButtons = [].slice.call(root.querySelectorAll("[data-tool]"));
  var act = function (name) { return root.querySelector("[data-act=" + name + "]"); };
  var texts = {};
  labelButtons.forEach(function (b) {
    texts[b.dataset.label] = b.textContent.replace(/^\s*\d\s+/, "").trim();
    b.style.borderLeftColor = colours[b.dataset.label] || "#888";
  });

  var W = 1000, H = 750;           // the SVG's units: the picture is W wide
  var MIN = 0.01;                  // a drag smaller than this is a tap, not a box
  var STEP = 0.01;                 // one arrow key press
  var shapes = read(), history = [], selected = -1, drawing = null, drag = null;
  var label = labelButtons.length ? labelButtons[0].dataset.label : "";
  var tool = mode === "polygons" ? "polygon" : "box";

  function say(name, values) {
    var text = root.dataset["say" + name] || "";
    Object.keys(values || {}).forEach(function (k) { text = text.split("%(" + k + ")s").join(values[k]); });
    return text;
  }
  function clamp(v, lo, hi) { return Math.min(Math.max(v, lo), hi); }
  function r5(v) { return Math.round(v * 1e5) / 1e5; }
  function copy(v) { return JSON.parse(JSON.stringify(v)); }
  function isBox(s) { return !s.points; }
  function valid(s) {
    if (!s || typeof s.label !== "string") return false;
    if (s.points) return Array.isArray(s.points) && s.points.length >= 3;
    return [s.x, s.y, s.w, s.h].every(function (v) { return typeof v === "number"; });
  }
  function read() {
    try {
      var got = JSON.parse(field.value || "[]");
      return Array.isArray(got) ? got.filter(valid) : [];
    } catch (e) { return []; }
  }
  function bounds(s) {
    if (isBox(s)) return {x0: s.x, y0: s.y, x1: s.x + s.w, y1: s.y + s.h};
    var xs = s.points.map(function (p) { return p[0]; }), ys = s.points.map(function (p) { return p[1]; });
    return {x0: Math.min.apply(null, xs), y0: Math.min.apply(null, ys), x1: Math.max.apply(null, xs), y1: Math.max.apply(null, ys)};
  }
  function stored(s) {
    if (!isBox(s)) return {label: s.label, points: s.points.map(function (p) { return [r5(p[0]), r5(p[1])]; })};
    var x = r5(s.x), y = r5(s.y);
    return {label: s.label, x: x, y: y, w: Math.min(r5(s.w), Math.floor((1 - x) * 1e5) / 1e5),
            h: Math.min(r5(s.h), Math.floor((1 - y) * 1e5) / 1e5)};
  }

  // --- changes --------------------------------------------------------------------------------
  function remember() {
    history.push(JSON.stringify(shapes));
    if (history.length > 100) history.shift();
  }
  function sync() {
    field.value = JSON.stringify(shapes.map(stored));
    field.dispatchEvent(new Event("change", {bubbles: true}));  // task.js saves the draft
    render();
  }
  function add(shape) {
    if (shapes.length >= most) { status.textContent = say("Full", {max: most}); return false; }
    remember();
    shapes.push(shape);
    selected = fresh = shapes.length - 1;
    sync();
    announce();
    return true;
  }
  function removeAt(i) {
    if (i < 0 || i >= shapes.length) return;
    remember();
    shapes.splice(i, 1);
    selected = Math.min(i, shapes.length - 1);
    sync();
  }
  function undo() {
    if (drawing) { drawing = null; render(); return; }
    if (!history.length) return;
    shapes = JSON.parse(history.pop());
    selected = Math.min(selected, shapes.length - 1);
    sync();
  }
  // The shape just drawn stays selected for moving or resizing, but tapping a label after it
  // means "the next shape is a …", not "this one was": only a shape the worker picked (or the
  // number keys, as the help says) is relabelled.
  var fresh = -1;
  function chooseLabel(value, tapped) {
    label = value;
    if (tapped && selected === fresh) { selected = fresh = -1; render(); }
    labelButtons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.label === value)); });
    if (selected >= 0 && shapes[selected].label !== value) {
      remember();
      shapes[selected].label = value;
      sync();
      announce();
    }
  }
  function chooseTool(name) {
    tool = name;
    drawing = null;
    toolButtons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.tool === name)); });
    render();
  }
  function defaultShape() {
    if (tool === "polygon") return {label: label, points: [[0.35, 0.35], [0.65, 0.35], [0.65, 0.65], [0.35, 0.65]]};
    return {label: label, x: 0.35, y: 0.35, w: 0.3, h: 0.3};
  }
  function closePolygon() {
    if (!drawing || drawing.length < 3) return;
    var shape = {label: label, points: drawing};
    drawing = null;
    add(shape);
  }
  function moved(orig, dx, dy) {
    var b = bounds(orig);
    dx = clamp(dx, -b.x0, 1 - b.x1);
    dy = clamp(dy, -b.y0, 1 - b.y1);
    var out = copy(orig);
    if (isBox(out)) { out.x += dx; out.y += dy; }
    else out.points = out.points.map(function (p) { return [p[0] + dx, p[1] + dy]; });
    return out;
  }
  function resized(orig, dw, dh) {
    var out = copy(orig), b = bounds(orig);
    var w = clamp(b.x1 - b.x0 + dw, MIN, 1 - b.x0), h = clamp(b.y1 - b.y0 + dh, MIN, 1 - b.y0);
    if (isBox(out)) { out.w = w; out.h = h; return out; }
    var sx = w / Math.max(b.x1 - b.x0, 1e-9), sy = h / Math.max(b.y1 - b.y0, 1e-9);
    out.points = out.points.map(function (p) { return [b.x0 + (p[0] - b.x0) * sx, b.y0 + (p[1] - b.y0) * sy]; });
    return out;
  }
  function cornerDrag(orig, handle, p) {
    if (!isBox(orig)) {
      var out = copy(orig);
      out.points[+handle] = [p.x, p.y];
      return out;
    }
    // The opposite corner stays where it is.
    var fx = handle.indexOf("w") >= 0 ? orig.x + orig.w : orig.x;
    var fy = handle.indexOf("n") >= 0 ? orig.y + orig.h : orig.y;
    var x0 = Math.min(fx, p.x), y0 = Math.min(fy, p.y);
    return {label: orig.label, x: x0, y: y0, w: Math.max(Math.abs(fx - p.x), MIN / 2), h: Math.max(Math.abs(fy - p.y), MIN / 2)};
  }

  // --- drawing --------------------------------------------------------------------------------
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (parent || svg).appendChild(e);
    return e;
  }
  function scale() {  // SVG units per CSS pixel
    var width = svg.getBoundingClientRect().width;
    return width > 0 ? W / width : 1;
  }
  function pts(points) {
    return points.map(function (p) { return (p[0] * W).toFixed(1) + "," + (p[1] * H).toFixed(1); }).join(" ");
  }
  function name(i) {
    var s = shapes[i];
    return (i + 1) + ". " + (texts[s.label] || s.label) + " (" + say(isBox(s) ? "Box" : "Polygon") + ")";
  }
  function render() {
    var u = scale();
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    shapes.forEach(function (s, i) {
      var colour = colours[s.label] || "#e6194b", on = i === selected;
      var attrs = {"class": "boxes-shape" + (on ? " is-selected" : ""), "data-i": i, stroke: colour,
                   fill: colour, "fill-opacity": on ? 0.3 : 0.15, "stroke-width": (on ? 4 : 2.5) * u};
      var b = bounds(s);
      if (isBox(s)) {
        attrs.x = s.x * W; attrs.y = s.y * H; attrs.width = s.w * W; attrs.height = s.h * H;
        el("rect", attrs);
      } else {
        attrs.points = pts(s.points);
        el("polygon", attrs);
      }
      var t = el("text", {x: b.x0 * W + 4 * u, y: b.y0 * H + 15 * u, "font-size": 13 * u, fill: "#fff",
                          stroke: "#000", "stroke-width": 3 * u, "paint-order": "stroke", "class": "boxes-tag"});
      t.textContent = (i + 1) + " " + (texts[s.label] || s.label);
    });
    var sel = shapes[selected];
    if (sel) {
      var handles = isBox(sel)
        ? [["nw", sel.x, sel.y], ["ne", sel.x + sel.w, sel.y], ["sw", sel.x, sel.y + sel.h], ["se", sel.x + sel.w, sel.y + sel.h]]
        : sel.points.map(function (p, j) { return [String(j), p[0], p[1]]; });
      handles.forEach(function (h) {
        el("circle", {"class": "boxes-handle", "data-handle": h[0], cx: h[1] * W, cy: h[2] * H, r: 11 * u,
                      "stroke-width": 2 * u});
      });
    }
    if (drag && drag.kind === "draw") {
      var a = drag.start, c = drag.now;
      el("rect", {"class": "boxes-preview", x: Math.min(a.x, c.x) * W, y: Math.min(a.y, c.y) * H,
                  width: Math.abs(c.x - a.x) * W, height: Math.abs(c.y - a.y) * H, "stroke-width": 2.5 * u,
                  stroke: colours[label] || "#e6194b"});
    }
    if (drawing) {
      el("polyline", {"class": "boxes-preview", points: pts(drawing), "stroke-width": 2.5 * u, stroke: colours[label] || "#e6194b"});
      drawing.forEach(function (p, j) {
        el("circle", {"class": "boxes-vertex" + (j === 0 ? " is-first" : ""), cx: p[0] * W, cy: p[1] * H,
                      r: (j === 0 && drawing.length >= 3 ? 14 : 7) * u});
      });
    }
    tools();
    listing();
  }
  function tools() {
    act("delete").disabled = selected < 0;
    act("undo").disabled = !history.length && !drawing;
    // Always in its place, so the picture never jumps between two taps.
    if (act("close")) act("close").disabled = !drawing || drawing.length < 3;
  }
  function listing() {
    while (list.firstChild) list.removeChild(list.firstChild);
    shapes.forEach(function (s, i) {
      var li = document.createElement("li"), pick = document.createElement("button"), del = document.createElement("button");
      pick.type = del.type = "button";
      pick.className = "link boxes-pick";
      pick.textContent = name(i);
      pick.setAttribute("aria-pressed", String(i === selected));
      pick.dataset.pick = i;
      del.className = "secondary boxes-del";
      del.textContent = "×";
      del.setAttribute("aria-label", say("Delete") + " " + (i + 1));
      del.dataset.del = i;
      li.appendChild(pick);
      li.appendChild(del);
      list.appendChild(li);
    });
    if (!drawing) status.textContent = say("Count", {count: shapes.length, min: fewest, max: most});
  }
  function announce() {
    if (selected >= 0) status.textContent = say("Selected", {shape: name(selected)});
  }

  // --- pointer: mouse, pen and touch alike ----------------------------------------------------
  function point(e) {
    var r = svg.getBoundingClientRect();
    return {x: clamp((e.clientX - r.left) / r.width, 0, 1), y: clamp((e.clientY - r.top) / r.height, 0, 1)};
  }
  svg.addEventListener("pointerdown", function (e) {
    if (e.button > 0) return;
    e.preventDefault();
    stage.focus({preventScroll: true});
    var t = e.target, p = point(e);
    if (t.dataset && t.dataset.handle !== undefined && selected >= 0) {
      drag = {kind: "handle", handle: t.dataset.handle, start: p, orig: copy(shapes[selected]), before: JSON.stringify(shapes)};
    } else if (drawing) {
      drag = {kind: "tap", start: p};
    } else if (t.dataset && t.dataset.i !== undefined) {
      selected = +t.dataset.i;
      drag = {kind: "move", start: p, orig: copy(shapes[selected]), before: JSON.stringify(shapes)};
      render();
      announce();
    } else if (tool === "box") {
      drag = {kind: "draw", start: p, now: p};
    } else {
      drag = {kind: "tap", start: p};
    }
    try { svg.setPointerCapture(e.pointerId); } catch (err) { /* already released */ }
  });
  svg.addEventListener("pointermove", function (e) {
    if (!drag) return;
    var p = point(e);
    if (drag.kind === "draw") drag.now = p;
    else if (drag.kind === "move") shapes[selected] = moved(drag.orig, p.x - drag.start.x, p.y - drag.start.y);
    else if (drag.kind === "handle") shapes[selected] = cornerDrag(drag.orig, drag.handle, p);
    else return;
    drag.changed = true;
    render();
  });
  function finish(e) {
    var d = drag;
    drag = null;
    if (!d) return;
    var p = point(e);
    if (d.kind === "draw") {
      var w = Math.abs(p.x - d.start.x), h = Math.abs(p.y - d.start.y);
      if (w >= MIN && h >= MIN) add({label: label, x: Math.min(p.x, d.start.x), y: Math.min(p.y, d.start.y), w: w, h: h});
      else { selected = -1; render(); }
    } else if (d.kind === "tap") {
      if (!drawing) drawing = [];
      var first = drawing[0], near = 16 * scale() / W;
      if (drawing.length >= 3 && Math.abs(first[0] - p.x) < near && Math.abs(first[1] - p.y) * H / W < near) closePolygon();
      else if (drawing.length < 100) drawing.push([p.x, p.y]);
      if (drawing) status.textContent = say("Points", {count: drawing.length});
      selected = -1;
      render();
    } else if (d.changed) {
      history.push(d.before);
      sync();
    }
  }
  svg.addEventListener("pointerup", finish);
  svg.addEventListener("pointercancel", function () {
    if (drag && drag.before) shapes = JSON.parse(drag.before);
    drag = null;
    render();
  });

  // --- buttons and keys -----------------------------------------------------------------------
  root.addEventListener("click", function (e) {
    var b = e.target.closest("button");
    if (!b || !root.contains(b)) return;
    if (b.dataset.label !== undefined) chooseLabel(b.dataset.label, true);
    else if (b.dataset.tool) chooseTool(b.dataset.tool);
    else if (b.dataset.pick !== undefined) { selected = +b.dataset.pick; fresh = -1; render(); announce(); }
    else if (b.dataset.del !== undefined) removeAt(+b.dataset.del);
    else if (b.dataset.act === "add") add(defaultShape());
    else if (b.dataset.act === "close") closePolygon();
    else if (b.dataset.act === "delete") removeAt(selected);
    else if (b.dataset.act === "undo") undo();
  });
  root.addEventListener("keydown", function (e) {
    if (e.target === field || e.altKey || e.metaKey) return;
    var onStage = e.target === stage, k = e.key;
    if (e.ctrlKey) {
      if ((k === "z" || k === "Z") && onStage) { e.preventDefault(); undo(); }
      return;
    }
    if (/^[0-9]$/.test(k)) {
      var b = labelButtons[k === "0" ? 9 : +k - 1];
      if (b) { e.preventDefault(); chooseLabel(b.dataset.label); }
      return;
    }
    if (!onStage) return;
    var s = shapes[selected], handled = true;
    if (k === "n" || k === "N") add(defaultShape());
    else if (k === "z" || k === "Z") undo();
    else if (k === "Enter") { if (drawing) closePolygon(); else handled = false; }
    else if (k === "Escape") { drawing = null; selected = -1; render(); }
    else if ((k === "Delete" || k === "Backspace") && s) removeAt(selected);
    else if (k === "Tab" && shapes.length) {
      // Through the shapes, then on to the rest of the page: the picture never traps the focus.
      var next = selected + (e.shiftKey ? -1 : 1);
      if (selected < 0 && e.shiftKey) next = shapes.length - 1;
      if (next >= 0 && next < shapes.length) { selected = next; render(); announce(); }
      else { selected = -1; render(); handled = false; }
    } else if (k.indexOf("Arrow") === 0 && s) {
      var dx = k === "ArrowLeft" ? -STEP : k === "ArrowRight" ? STEP : 0;
      var dy = k === "ArrowUp" ? -STEP : k === "ArrowDown" ? STEP : 0;
      remember();
      shapes[selected] = e.shiftKey ? resized(s, dx, dy) : moved(s, dx, dy);
      sync();
    } else handled = false;
    if (handled) e.preventDefault();
  });

  function fit() {
    if (img.naturalWidth && img.naturalHeight) {
      H = W * img.naturalHeight / img.naturalWidth;
    } else {
      stage.classList.add("is-broken");  // no picture: still a drawing area, 4:3
      H = W * 0.75;
    }
    svg.setAttribute("viewBox", "0 0 " + W + " " + H.toFixed(2));
    render();
  }
  if (img.complete) fit(); else { img.addEventListener("load", fit); img.addEventListener("error", fit); }
  window.addEventListener("resize", render);
  chooseTool(tool);
})();

// Files a worker sends with an answer (a photo, a recording), uploaded in pieces that survive
// a dropped connection. The file waits in IndexedDB, keyed by the task, until the server has
// it all: leave the page, lose the signal, come back, and the upload goes on from the byte the
// server has. The answer's hidden field gets the file's ref only once it is complete, and the
// submit button says so while a file is on its way.
//
// A kind's script calls microworkUpload.send(field, blob) and listens for "worker-file" events
// on its [data-worker-file] element: detail.state is uploading (detail.fraction), waiting (no
// connection), complete (detail.ref) or refused (detail.message).
(function () {
  "use strict";
  var d = document, form = d.getElementById("task-form");
  if (!form || !form.dataset.uploadsUrl) return;
  var assignment = form.dataset.assignment, PIECE = 256 * 1024, RETRY_MS = 3000;
  var submit = form.querySelector("button[type=submit]"), label = submit ? submit.textContent : "";
  var pending = {}, memory = {};

  function csrf() {
    var i = form.querySelector("[name=csrfmiddlewaretoken]");
    return i ? i.value : "";
  }
  function widget(field) { return form.querySelector('[data-worker-file="' + field + '"]'); }
  function emit(field, detail) {
    var el = widget(field);
    if (!el) return;
    var state = el.querySelector("[data-worker-file-state]");
    if (state) {
      if (detail.state === "uploading") state.textContent = el.dataset.uploading + " " + Math.floor(detail.fraction * 100) + " %";
      else if (detail.state === "waiting") state.textContent = el.dataset.waiting;
      else if (detail.state === "complete") state.textContent = el.dataset.uploaded;
      else if (detail.state === "refused") state.textContent = detail.message;
    }
    el.dispatchEvent(new CustomEvent("worker-file", {detail: detail}));
  }
  function showSubmit() {
    if (!submit) return;
    var fields = Object.keys(pending);
    if (!fields.length) { submit.disabled = false; submit.textContent = label; return; }
    var least = Math.min.apply(null, fields.map(function (f) { return pending[f]; }));
    var el = widget(fields[0]);
    submit.disabled = true;
    submit.textContent = (el ? el.dataset.uploading : "…") + " " + Math.floor(least * 100) + " %";
  }

  // IndexedDB, or this page's memory where it is not available (a private window).
  function store(mode, act) {
    return new Promise(function (ok, ko) {
      if (!window.indexedDB) { ko(new Error("no IndexedDB")); return; }
      var open = indexedDB.open("microwork-uploads", 1);
      open.onupgradeneeded = function () { open.result.createObjectStore("uploads"); };
      open.onerror = function () { ko(open.error); };
      open.onsuccess = function () {
        var tx = open.result.transaction("uploads", mode), req = act(tx.objectStore("uploads"));
        tx.oncomplete = function () { open.result.close(); ok(req.result); };
        tx.onerror = function () { open.result.close(); ko(tx.error); };
      };
    });
  }
  function key(field) { return assignment + ":" + field; }
  function keep(field, rec) {
    memory[key(field)] = rec;
    return store("readwrite", function (s) { return s.put(rec, key(field)); }).catch(function () {});
  }
  function recall(field) {
    return store("readonly", function (s) { return s.get(key(field)); })
      .catch(function () { return null; })
      .then(function (rec) { return rec || memory[key(field)] || null; });
  }

  function call(method, url, body, type) {
    var headers = {"X-CSRFToken": csrf()};
    if (type) headers["Content-Type"] = type;
    return fetch(url, {method: method, credentials: "same-origin", headers: headers, body: body})
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (j) { return {status: r.status, body: j}; });
      });
  }
  function Refused(r) { this.message = (r.body && r.body.message) || String(r.status); }
  function wait(ms) { return new Promise(function (ok) { setTimeout(ok, ms); }); }

  function begin(field, rec) {
    if (rec.uploadId) {
      return call("GET", "/api/work/uploads/" + rec.uploadId).then(function (r) {
        if (r.status === 200 && r.body.status !== "deleted") return r.body;
        if (r.status !== 404 && r.status !== 200) throw new Refused(r);
        rec.uploadId = null;
        return begin(field, rec);
      });
    }
    var body = JSON.stringify({size: rec.blob.size, field: field, content_type: rec.blob.type || ""});
    return call("POST", form.dataset.uploadsUrl, body, "application/json").then(function (r) {
      if (r.status !== 201) throw new Refused(r);
      rec.uploadId = r.body.upload_id;
      return keep(field, rec).then(function () { return r.body; });
    });
  }
  function pieces(field, rec, state) {
    if (state.status === "complete") return state.file.ref;
    if (state.status !== "uploading") throw new Refused({body: {}, status: 409});
    pending[field] = state.size ? state.offset / state.size : 0;
    showSubmit();
    emit(field, {state: "uploading", fraction: pending[field]});
    var piece = rec.blob.slice(state.offset, state.offset + PIECE);
    var url = "/api/work/uploads/" + rec.uploadId + "?offset=" + state.offset;
    return call("PUT", url, piece, "application/octet-stream").then(function (r) {
      if (r.status === 200) return pieces(field, rec, r.body);
      if (r.status === 409 && r.body.code === "wrong_offset") {
        return pieces(field, rec, {status: "uploading", offset: r.body.details.offset, size: state.size});
      }
      throw new Refused(r);
    });
  }
  function run(field, rec) {
    var hidden = widget(field) && widget(field).querySelector("[data-worker-file-ref]");
    if (hidden) hidden.value = "";
    pending[field] = 0;
    showSubmit();
    function attempt() {
      if (rec !== memory[key(field)]) return Promise.resolve(null);  // a newer file replaced it
      return begin(field, rec).then(function (state) { return pieces(field, rec, state); }).then(function (ref) {
        if (rec !== memory[key(field)]) return null;
        delete pending[field];
        if (hidden) hidden.value = ref;
        keep(field, {ref: ref, type: rec.blob.type || ""});
        showSubmit();
        emit(field, {state: "complete", ref: ref});
        return ref;
      }, function (err) {
        if (err instanceof Refused) {
          delete pending[field];
          keep(field, {});
          showSubmit();
          emit(field, {state: "refused", message: err.message});
          return null;
        }
        // The network: wait, then ask the server where the upload stands and go on.
        emit(field, {state: "waiting"});
        return Promise.race([wait(RETRY_MS), new Promise(function (ok) { window.addEventListener("online", ok, {once: true}); })]).then(attempt);
      });
    }
    return attempt();
  }

  window.microworkUpload = {
    send: function (field, blob) {
      var rec = {blob: blob};
      memory[key(field)] = rec;
      return keep(field, rec).then(function () { return run(field, rec); });
    }
  };

  Array.prototype.forEach.call(form.querySelectorAll("[data-worker-file]"), function (el) {
    var field = el.dataset.workerFile;
    recall(field).then(function (rec) {
      if (!rec) return;
      memory[key(field)] = rec;
      var hidden = el.querySelector("[data-worker-file-ref]");
      if (rec.ref) {
        if (hidden && !hidden.value) hidden.value = rec.ref;
        emit(field, {state: "complete", ref: rec.ref, restored: true});
      } else if (rec.blob) {
        run(field, rec);
      }
    });
  });
})();

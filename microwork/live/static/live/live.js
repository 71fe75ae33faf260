// The live page: while the worker is available, one server-sent events stream brings each
// offer the moment it is made (no polling loop: the browser holds the stream and opens it
// again by itself when the server ends it). The open stream is also the page's sign of life.
(function () {
  "use strict";
  var card = document.getElementById("live-offer");
  if (!card || card.getAttribute("data-any-available") !== "1" || !window.EventSource) {
    return;
  }
  var state = document.getElementById("live-state");
  var project = document.getElementById("live-offer-project");
  var left = document.getElementById("live-offer-left");
  var accept = document.getElementById("live-accept");
  var decline = document.getElementById("live-decline");
  var timer = null;
  var source = new EventSource(card.getAttribute("data-stream-url"));

  function show(offer) {
    if (timer) {
      clearInterval(timer);
      timer = null;
    }
    if (!offer.offer) {
      card.hidden = true;
      return;
    }
    project.textContent = offer.project;
    accept.setAttribute("action", offer.accept_url);
    decline.setAttribute("action", offer.decline_url);
    var seconds = offer.seconds_left;
    left.textContent = seconds + " s";
    timer = setInterval(function () {
      seconds -= 1;
      left.textContent = Math.max(0, seconds) + " s";
      if (seconds <= 0) {
        card.hidden = true;
        clearInterval(timer);
        timer = null;
      }
    }, 1000);
    card.hidden = false;
    if (navigator.vibrate) {
      navigator.vibrate(200);
    }
  }

  source.addEventListener("offer", function (event) {
    state.textContent = state.getAttribute("data-waiting");
    show(JSON.parse(event.data));
  });
  source.addEventListener("error", function () {
    state.textContent = state.getAttribute("data-lost");
  });
  source.addEventListener("open", function () {
    state.textContent = state.getAttribute("data-waiting");
  });
  accept.addEventListener("submit", function () {
    source.close();
  });
})();

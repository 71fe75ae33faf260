// Starts Swagger UI on /api/docs. Its settings come from data- attributes rather than an inline
// script, which the site's Content-Security-Policy would not run.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle !== "function") return;
  var config = JSON.parse(root.dataset.settings);
  var token = root.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  if (token) {
    // "Try it out" from a logged-in browser goes through session auth, which checks CSRF.
    config.requestInterceptor = function (req) {
      req.headers["X-CSRFToken"] = token;
      return req;
    };
  }
  SwaggerUIBundle(config);
})();

// Starts Swagger UI on /api/docs (web/api_docs.py) with the app's own description; a file,
// not an inline script, so the page's Content-Security-Policy holds.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: new URL("openapi.json", window.location.href).href,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});

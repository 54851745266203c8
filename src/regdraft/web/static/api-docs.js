// Starts Swagger UI on /docs. A file, not an inline script: the Content-Security-Policy
// (api/csp.py) runs no inline script on any page.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis],  // the bundle has no standalone preset; BaseLayout needs none
});

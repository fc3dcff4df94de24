// Starts the vendored Swagger UI on this server's own OpenAPI document. No validator badge
// (it would call validator.swagger.io) and no "Try it out" requests outside this origin.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});

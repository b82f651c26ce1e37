// The /docs page's Swagger UI set-up, served as a file so the page has no inline script.
// Its settings come from the data attributes of the #swagger-ui element.
const node = document.getElementById("swagger-ui");
const bundle = window.SwaggerUIBundle;
bundle({
  url: node.dataset.openapi,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [bundle.presets.apis, bundle.SwaggerUIStandalonePreset],
  // Swagger UI would otherwise send the schema to an online validator.
  validatorUrl: null,
});

import { createRequire } from "node:module";

/** Where Swagger UI's browser bundle and stylesheet are on disk. */
export interface SwaggerUiFiles {
  script: string;
  stylesheet: string;
}

const require = createRequire(import.meta.url);

/**
 * In the installed swagger-ui-dist, where sources run (vitest, tsx). A bundled app has no
 * node_modules: packages/build puts ./assets.bundled.ts in this module's place, which finds
 * the same files beside the bundle.
 */
export const swaggerUiFiles = (): SwaggerUiFiles => ({
  script: require.resolve("swagger-ui-dist/swagger-ui-bundle.js"),
  stylesheet: require.resolve("swagger-ui-dist/swagger-ui.css"),
});

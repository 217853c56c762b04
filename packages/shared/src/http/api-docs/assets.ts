import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** Swagger UI's browser bundle and stylesheet, as text. */
export interface SwaggerUiFiles {
  script: string;
  stylesheet: string;
}

const require = createRequire(import.meta.url);
const read = (file: string) => readFileSync(require.resolve(`swagger-ui-dist/${file}`), "utf8");

/**
 * Read from the installed swagger-ui-dist, where sources run (vitest, tsx). A bundled app has
 * no node_modules: packages/build puts ./assets.bundled.ts in this module's place, the same
 * files inlined at build time.
 */
export const swaggerUiFiles = (): SwaggerUiFiles => ({
  script: read("swagger-ui-bundle.js"),
  stylesheet: read("swagger-ui.css"),
});

// The bundle's twin of ./assets.ts (packages/build: bundled twins and file imports): the build
// writes both files into dist/ beside the bundle, and these imports are their paths relative
// to it. Never imported by sources: Node and vitest do not load `type: "file"` imports.
import { fileURLToPath } from "node:url";
import stylesheet from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import script from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import type { SwaggerUiFiles } from "./assets";

const beside = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export const swaggerUiFiles = (): SwaggerUiFiles => ({
  script: beside(script),
  stylesheet: beside(stylesheet),
});

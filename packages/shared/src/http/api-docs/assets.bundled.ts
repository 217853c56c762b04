// The bundle's twin of ./assets.ts (packages/build: bundled twins): the same files, inlined
// by esbuild's text loader, so the app needs nothing beside dist/index.js. Never imported by
// sources: Node and vitest do not load `type: "text"` imports.

import stylesheet from "swagger-ui-dist/swagger-ui.css" with { type: "text" };
import script from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "text" };
import type { SwaggerUiFiles } from "./assets";

export const swaggerUiFiles = (): SwaggerUiFiles => ({ script, stylesheet });

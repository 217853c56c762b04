import type { Express, NextFunction, Request, Response } from "express";
import { sameOriginPageCsp } from "../page-csp";
import { type SwaggerUiFiles, swaggerUiFiles } from "./assets";

/** Where every API serves its reference page; its files are under `${DOCS_PATH}/assets/`. */
export const DOCS_PATH = "/docs";
const ASSETS_PATH = `${DOCS_PATH}/assets`;

/**
 * The page's own policy; every other answer keeps the API's `default-src 'none'`. Scripts and
 * stylesheets are files of this origin (no inline script, no 'unsafe-inline', no eval: Swagger
 * UI sets element styles through the DOM, which style-src does not govern); images only as
 * the data: URIs in swagger-ui.css (its icons); fetches (the document, "Try it out") only to
 * this origin.
 */
export const DOCS_CSP = sameOriginPageCsp();

/**
 * Starts Swagger UI on the app's own OpenAPI document. A file, not an inline script, so the
 * CSP needs no hash or nonce. `validatorUrl: null`: the default sends the document's URL to
 * validator.swagger.io for a badge. Swagger UI 5 ignores `?url=` unless `queryConfigEnabled`,
 * so the page shows this app's document only.
 */
const INIT_SCRIPT = `"use strict";
const root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: root.dataset.specUrl,
  domNode: root,
  deepLinking: true,
  validatorUrl: null,
});
`;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

// Every URL on the page is a path of this origin: no CDN, no web font, nothing from outside.
const page = (title: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escapeHtml(title)} · API reference</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="${ASSETS_PATH}/swagger-ui.css">
  </head>
  <body>
    <div id="swagger-ui" data-spec-url="/openapi.json"></div>
    <script src="${ASSETS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${ASSETS_PATH}/init.js"></script>
  </body>
</html>
`;

const JS = "text/javascript; charset=utf-8";

/** Swagger UI's files: streamed from disk on every request, never held in memory. */
const SWAGGER_UI: Record<string, { type: string; file: keyof SwaggerUiFiles }> = {
  "swagger-ui-bundle.js": { type: JS, file: "script" },
  "swagger-ui.css": { type: "text/css; charset=utf-8", file: "stylesheet" },
};

// Revalidated on every use, a 304 thanks to the ETag (express's for bodies, send's for files):
// an upgraded app's files are seen at once.
const revalidate = (res: Response, type: string) => res.setHeader("Cache-Control", "no-cache").type(type);

/**
 * Serves an API reference (Swagger UI, from the swagger-ui-dist package, nothing from a CDN)
 * at /docs for the app's /openapi.json. Public, like the document: "Try it out" requests
 * carry whatever token the reader enters under "Authorize".
 */
export function mountApiDocs(app: Express, title: string): void {
  const html = Buffer.from(page(title));
  const init = Buffer.from(INIT_SCRIPT);
  app.get(DOCS_PATH, (_req: Request, res: Response) => {
    revalidate(res, "text/html; charset=utf-8").setHeader("Content-Security-Policy", DOCS_CSP).send(html);
  });
  app.get(`${ASSETS_PATH}/init.js`, (_req: Request, res: Response) => {
    revalidate(res, JS).send(init);
  });
  const files = swaggerUiFiles();
  for (const [name, { type, file }] of Object.entries(SWAGGER_UI)) {
    const path = files[file];
    app.get(`${ASSETS_PATH}/${name}`, (_req: Request, res: Response, next: NextFunction) => {
      // dotfiles: pnpm's node_modules/.pnpm is on the path where sources run.
      revalidate(res, type).sendFile(path, { dotfiles: "allow", cacheControl: false }, (error) => {
        if (error && !res.headersSent) next(error);
      });
    });
  }
}

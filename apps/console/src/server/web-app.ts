import { existsSync } from "node:fs";
import { join } from "node:path";
import { sendProblem } from "@fluxnotify/shared/http";
import express, { type NextFunction, type Request, type Response, Router } from "express";

/** Paths the single-page app never owns: the server's own and the proxied APIs. */
const SERVER_PREFIXES = ["/api/", "/console/", "/assets/"];
const SERVER_PATHS = new Set(["/healthz", "/readyz", "/metrics", "/api", "/console"]);

/** The app's client routes, and any other page path: the SPA answers them (its own "not found"). */
const isClientRoute = (path: string) =>
  !SERVER_PATHS.has(path) && !SERVER_PREFIXES.some((prefix) => path.startsWith(prefix));

export const webAppBuilt = (dir: string) => existsSync(join(dir, "index.html"));

/**
 * The built SPA (dist/public): its content-hashed files under /assets/ cached for a year (a
 * new build has new names), index.html for every client route, revalidated on each load so
 * a deploy is seen at once. A missing asset is a 404, never index.html (a stale page asking
 * for a file of the previous build must fail visibly, not run HTML as a script).
 */
export function webAppRouter(dir: string): Router {
  const router = Router();
  router.use(
    "/assets",
    express.static(join(dir, "assets"), {
      index: false,
      immutable: true,
      maxAge: "365d",
      fallthrough: false,
      redirect: false,
    }),
  );
  router.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || !isClientRoute(req.path)) {
      next();
      return;
    }
    if (!webAppBuilt(dir)) {
      sendProblem(res, {
        status: 503,
        title: "Service Unavailable",
        detail: "the console's web app is not built: pnpm --filter @fluxnotify/console build",
      });
      return;
    }
    res.setHeader("Cache-Control", "no-cache");
    res.type("text/html; charset=utf-8");
    res.sendFile(join(dir, "index.html"), { cacheControl: false }, (error) => {
      if (error && !res.headersSent) next(error);
    });
  });
  return router;
}

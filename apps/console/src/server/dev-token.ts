import type { DevTokenSigner } from "@fluxnotify/shared/dev-token";
import { HttpProblem, sendProblem, storableText } from "@fluxnotify/shared/http";
import express, { type NextFunction, type Request, type Response, Router } from "express";
import { z } from "zod";

const DEV_TOKEN_PATH = "/console/dev-token";

/** Short: a development sign-in is for trying the console out, and the tab keeps it. */
const DEV_TOKEN_TTL = "1h";

const request = z.strictObject({
  tenant: storableText(256).min(1),
  userId: storableText(256).min(1),
  role: z.enum(["admin", "operator"]),
});

/**
 * What the SPA needs to know about this server before anyone signs in. Nothing secret:
 * whether the development sign-in is offered here.
 */
export function configRouter(devSignIn: boolean): Router {
  const router = Router();
  router.get("/console/config", (_req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.json({ devSignIn });
  });
  return router;
}

/**
 * POST /console/dev-token {tenant, userId, role}: a token signed as bin/token signs it
 * (packages/shared/src/dev-token), for the development sign-in. Only where a signer exists:
 * never with NODE_ENV=production, where the route is not there at all (404, like any
 * unknown path). A JSON body only (415 otherwise): a cross-site form cannot send one without
 * a CORS preflight, which this server never grants, so no other page can mint tokens here
 * or read one.
 */
export function devTokenRouter(signer: DevTokenSigner): Router {
  const router = Router();
  router.post(
    DEV_TOKEN_PATH,
    (req: Request, _res: Response, next: NextFunction) => {
      if (!req.is("application/json")) {
        next(
          new HttpProblem({ status: 415, title: "Unsupported Media Type", detail: "send application/json" }),
        );
        return;
      }
      next();
    },
    express.json({ limit: "4kb" }),
    async (req: Request, res: Response, next: NextFunction) => {
      const parsed = request.safeParse(req.body);
      if (!parsed.success) {
        const errors = parsed.error.issues.map((issue) => ({
          field: issue.path.join(".") || "(body)",
          message: issue.message,
        }));
        sendProblem(res, {
          status: 400,
          title: "Bad Request",
          detail: "invalid sign-in",
          extensions: { errors },
        });
        return;
      }
      try {
        const { tenant, userId, role } = parsed.data;
        const token = await signer.sign({ userId, tenantId: tenant, roles: [role], ttl: DEV_TOKEN_TTL });
        res.setHeader("Cache-Control", "no-store");
        res.json({ token });
      } catch (error) {
        next(error);
      }
    },
  );
  return router;
}

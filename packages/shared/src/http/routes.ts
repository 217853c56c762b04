import type { Request, Response, Router } from "express";
import { z } from "zod";
import { authenticate, type Principal, ROLES, requireRole, type TokenVerifier } from "./auth";
import { HttpProblem } from "./problem";
import { hasNul, NUL_MESSAGE } from "./storable";

/** The request a handler or an authenticator is given (express's). */
export type { Request as HttpRequest };

type Schema = z.ZodType;
type Infer<S> = S extends Schema ? z.infer<S> : undefined;

export interface RouteContext<P, Q, B> {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
  /** Set on every route whose `auth` is not "none". */
  principal: Principal;
  req: Request;
  /** For a handler that answers itself (a stream): it returns `{ streamed: true }`. */
  res: Response;
}

export interface HandlerResult {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is (set Content-Type in `headers`), for the odd route that serves bytes. */
  raw?: Buffer;
  headers?: Record<string, string>;
  /** The handler has answered (or is answering) on `res` itself: nothing more is sent. */
  streamed?: true;
}

/**
 * One endpoint: its zod schemas validate the request AND generate the OpenAPI document, so
 * the two cannot drift apart.
 */
export interface RouteSpec<
  P extends Schema | undefined,
  Q extends Schema | undefined,
  B extends Schema | undefined,
> {
  method: "get" | "post" | "put" | "delete";
  /** Express syntax (`/items/:id`); shown as `/items/{id}` in OpenAPI. */
  path: string;
  summary: string;
  tags?: string[];
  /**
   * "admin": the `admin` or the `operator` role; the handler scopes tenants with
   * `tenantScope` (an admin acts on its own tenant, an operator on every tenant).
   */
  auth: "user" | "admin" | "none";
  /**
   * Replaces the bearer-token check of an "user" route, for the odd endpoint a browser
   * cannot send an Authorization header to (EventSource): it must still set a principal.
   */
  authenticator?: (req: Request, verify: TokenVerifier) => Promise<Principal>;
  params?: P;
  query?: Q;
  body?: B;
  /** `contentType`: what a schema-less success is sent as, for the document (e.g. text/event-stream). */
  responses: Record<number, { description: string; schema?: Schema; contentType?: string }>;
  handler: (context: RouteContext<P, Q, B>) => Promise<HandlerResult>;
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of routes
export type AnyRoute = RouteSpec<any, any, any>;

export function defineRoute<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
>(spec: RouteSpec<P, Q, B>): RouteSpec<P, Q, B> {
  return spec;
}

type FieldError = { field: string; message: string };

function validate<S extends Schema | undefined>(
  schema: S,
  value: unknown,
  where: string,
  errors: FieldError[],
) {
  if (!schema) return undefined as Infer<S>;
  const result = schema.safeParse(value);
  if (result.success) return result.data as Infer<S>;
  for (const issue of result.error.issues) {
    errors.push({ field: [where, ...issue.path].join("."), message: issue.message });
  }
  return undefined as Infer<S>;
}

/**
 * Every string (and object key) holding U+0000, whatever the schema: PostgreSQL cannot
 * store or even compare it, so no handler may see one.
 */
function findNul(value: unknown, field: string, errors: FieldError[], depth = 0): void {
  if (typeof value === "string") {
    if (hasNul(value)) errors.push({ field, message: NUL_MESSAGE });
  } else if (value !== null && typeof value === "object" && depth < 32) {
    for (const [key, item] of Object.entries(value)) {
      const path = `${field}.${key}`;
      if (hasNul(key)) errors.push({ field: path, message: `name ${NUL_MESSAGE}` });
      else findNul(item, path, errors, depth + 1);
    }
  }
}

/**
 * A route that takes a body takes JSON only: any other body (text/plain, a form) would
 * otherwise reach the handler as "no fields" and mean "all defaults" or "no filter".
 */
function requireJsonBody(route: AnyRoute, req: Request): void {
  if (!route.body || req.is("application/json")) return;
  const type = req.headers["content-type"];
  throw new HttpProblem({
    status: 415,
    title: "Unsupported Media Type",
    detail: `the request body must be application/json, got ${type ? JSON.stringify(type.slice(0, 100)) : "no Content-Type"}`,
  });
}

function rejectIfAny(errors: FieldError[]): void {
  if (errors.length === 0) return;
  throw HttpProblem.badRequest(errors.map((e) => `${e.field}: ${e.message}`).join("; "), { errors });
}

/**
 * Validates path, query and body together so one answer names every bad field. NUL first:
 * a schema's own message for such a value (say, "invalid email") would hide the reason.
 */
function validateRequest(route: AnyRoute, req: Request) {
  const errors: FieldError[] = [];
  findNul(req.params, "path", errors);
  findNul(req.query, "query", errors);
  if (route.body) findNul(req.body, "body", errors);
  rejectIfAny(errors);
  const params = validate(route.params, req.params, "path", errors);
  const query = validate(route.query, req.query, "query", errors);
  const body = validate(route.body, req.body, "body", errors);
  rejectIfAny(errors);
  return { params, query, body };
}

export function mountRoutes(router: Router, routes: AnyRoute[], verify: TokenVerifier): void {
  for (const route of routes) {
    const custom = route.authenticator;
    const guards =
      route.auth === "none"
        ? []
        : route.auth === "admin"
          ? [authenticate(verify), requireRole(ROLES.admin, ROLES.operator)]
          : custom
            ? [
                async (req: Request, _res: Response, next: (error?: unknown) => void) => {
                  req.principal = await custom(req, verify);
                  next();
                },
              ]
            : [authenticate(verify)];
    router[route.method](route.path, ...guards, async (req, res) => {
      requireJsonBody(route, req);
      const input = validateRequest(route, req);
      const result = await route.handler({ ...input, principal: req.principal as Principal, req, res });
      if (result.streamed) return;
      for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
      if (result.raw !== undefined) res.status(result.status).send(result.raw);
      else if (result.body === undefined) res.status(result.status).end();
      else res.status(result.status).json(result.body);
    });
  }
}

const problemSchema = {
  type: "object",
  required: ["type", "title", "status", "detail"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    errors: {
      type: "array",
      items: {
        type: "object",
        properties: { field: { type: "string" }, message: { type: "string" } },
      },
    },
  },
};

function jsonSchema(schema: Schema, io: "input" | "output") {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return rest;
}

/** OpenAPI 3.1 document for `routes`, derived from the same zod schemas that validate them. */
export function buildOpenApi(
  info: { title: string; version: string; description?: string },
  routes: AnyRoute[],
) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const parameters: unknown[] = [];
    for (const [location, schema] of [
      ["path", route.params],
      ["query", route.query],
    ] as const) {
      if (!schema) continue;
      const object = jsonSchema(schema, "input") as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      for (const [name, property] of Object.entries(object.properties ?? {})) {
        parameters.push({
          name,
          in: location,
          required: location === "path" || (object.required ?? []).includes(name),
          schema: property,
        });
      }
    }
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema
          ? { content: { "application/json": { schema: jsonSchema(response.schema, "output") } } }
          : response.contentType
            ? { content: { [response.contentType]: { schema: { type: "string" } } } }
            : {}),
      };
    }
    const errorStatuses: Record<string, string> = {
      "400": "A parameter or body field is invalid or out of the range the store holds; `errors` names each",
      ...(route.auth === "none" ? {} : { "401": "Missing, invalid or expired token, or unusable claims" }),
      ...(route.auth === "admin"
        ? { "403": "Neither the admin nor the operator role, or an admin naming another tenant" }
        : {}),
      ...(route.body
        ? { "413": "The request body is too large", "415": "The request body is not application/json" }
        : {}),
    };
    for (const [status, description] of Object.entries(errorStatuses)) {
      responses[status] ??= { description };
    }
    // Every error answer is a problem document, whatever the route declared for it.
    for (const [status, response] of Object.entries(responses) as Array<[string, { content?: unknown }]>) {
      if (Number(status) >= 400 && !response.content) {
        response.content = {
          "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } },
        };
      }
    }
    paths[path] ??= {};
    paths[path][route.method] = {
      summary: route.summary,
      ...(route.tags ? { tags: route.tags } : {}),
      ...(route.auth === "none" ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: jsonSchema(route.body, "input") } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: {
      schemas: { Problem: problemSchema },
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
    security: [{ bearer: [] }],
  };
}

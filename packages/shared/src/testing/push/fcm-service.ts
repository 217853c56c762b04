import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { importSPKI, jwtVerify } from "jose";
import { type RestartableServer, readBody, startRestartable } from "./server";

export const FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/** The JSON a Google service-account key file holds (the fields a sender uses). */
export interface ServiceAccount {
  type: "service_account";
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  token_uri: string;
}

/** An FCM error FCM HTTP v1 answers (google.rpc.Status with an FcmError detail). */
export type FcmErrorKind =
  | "UNREGISTERED"
  | "INVALID_ARGUMENT"
  | "UNAVAILABLE"
  | "INTERNAL"
  | "QUOTA_EXCEEDED"
  | "SENDER_ID_MISMATCH";

export interface FcmReply {
  error: FcmErrorKind;
  /** Sent as Retry-After (seconds). */
  retryAfter?: string;
}

const ERRORS: Record<FcmErrorKind, { http: number; status: string; message: string }> = {
  UNREGISTERED: { http: 404, status: "NOT_FOUND", message: "Requested entity was not found." },
  INVALID_ARGUMENT: {
    http: 400,
    status: "INVALID_ARGUMENT",
    message: "The registration token is not a valid FCM registration token",
  },
  UNAVAILABLE: { http: 503, status: "UNAVAILABLE", message: "The service is currently unavailable." },
  INTERNAL: { http: 500, status: "INTERNAL", message: "Internal error encountered." },
  QUOTA_EXCEEDED: { http: 429, status: "RESOURCE_EXHAUSTED", message: "Quota exceeded." },
  SENDER_ID_MISMATCH: { http: 403, status: "PERMISSION_DENIED", message: "SenderId mismatch" },
};

/** A message FCM accepted (or answered with a scripted error). */
export interface ReceivedFcmMessage {
  at: number;
  status: number;
  projectId: string;
  /** The bearer token it came with (one this stand-in issued). */
  accessToken: string;
  message: {
    token: string;
    notification: { title: string; body: string };
    data?: Record<string, string>;
    android?: Record<string, unknown>;
    webpush?: Record<string, unknown>;
    [key: string]: unknown;
  };
}

export interface FcmService extends RestartableServer {
  readonly projectId: string;
  /** FCM_BASE_URL for this stand-in. */
  readonly baseUrl: string;
  readonly tokenUri: string;
  /** The service account (with its private key) whose assertions the token endpoint accepts. */
  serviceAccount(): ServiceAccount;
  /** How many access tokens were asked for (successfully or not). */
  readonly tokenRequests: number;
  readonly messages: ReceivedFcmMessage[];
  /** Requests refused on the stand-in's own checks (bad assertion, bad token, bad message), and why. */
  readonly rejected: Array<{ path: string; status: number; reason: string }>;
  /** Errors for the registration token's next messages, in order; then success again. */
  script(token: string, replies: FcmReply[]): void;
  /** Every access token issued so far stops working (as if expired early or revoked). */
  revokeTokens(): void;
}

type Answer = { status: number; json: unknown; retryAfter?: string };

class Refused extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === "string" ? body : JSON.stringify(body));
  }
}

const rpcError = (http: number, status: string, message: string, errorCode?: string) => ({
  error: {
    code: http,
    message,
    status,
    ...(errorCode
      ? { details: [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode }] }
      : {}),
  },
});

function validMessage(value: unknown): value is ReceivedFcmMessage["message"] {
  const m = value as ReceivedFcmMessage["message"] | undefined;
  if (!m || typeof m.token !== "string" || m.token.length === 0) return false;
  if (typeof m.notification?.title !== "string" || typeof m.notification?.body !== "string") return false;
  if (m.data !== undefined && Object.values(m.data).some((v) => typeof v !== "string")) return false;
  const ttl = (m.android as { ttl?: unknown } | undefined)?.ttl;
  return ttl === undefined || (typeof ttl === "string" && /^\d+(\.\d{1,9})?s$/.test(ttl));
}

/**
 * FCM HTTP v1 and Google's OAuth token endpoint on 127.0.0.1. The token endpoint grants
 * short random access tokens only for an RS256 assertion (RFC 7523) signed with the
 * service account's key, `iss` its email, `aud` its token URI, the FCM scope and at most an
 * hour's lifetime; `messages:send` takes only tokens it issued, unexpired, and messages of
 * FCM's shape (token, notification title/body, string-only data), else 401/400 as FCM does.
 */
export async function startFcmService(
  options: { port?: number; projectId?: string; tokenLifetimeSeconds?: number } = {},
): Promise<FcmService> {
  const projectId = options.projectId ?? "fluxnotify-test";
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const verificationKey = await importSPKI(
    publicKey.export({ type: "spki", format: "pem" }) as string,
    "RS256",
  );
  const clientEmail = `push-worker@${projectId}.iam.gserviceaccount.com`;
  const issued = new Map<string, number>(); // access token → expiry (ms)
  const scripts = new Map<string, FcmReply[]>();
  const messages: ReceivedFcmMessage[] = [];
  const rejected: FcmService["rejected"] = [];
  let tokenRequests = 0;
  let tokenUri = "";

  async function grant(body: Buffer): Promise<unknown> {
    tokenRequests++;
    const form = new URLSearchParams(body.toString("utf8"));
    if (form.get("grant_type") !== JWT_BEARER)
      throw new Refused(400, { error: "unsupported_grant_type", error_description: "expected jwt-bearer" });
    const assertion = form.get("assertion") ?? "";
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(assertion, verificationKey, {
        algorithms: ["RS256"],
        issuer: clientEmail,
        audience: tokenUri,
      }));
    } catch (error) {
      throw new Refused(400, { error: "invalid_grant", error_description: (error as Error).message });
    }
    const { iat, exp, scope } = claims as { iat?: unknown; exp?: unknown; scope?: unknown };
    const now = Date.now() / 1000;
    if (typeof iat !== "number" || typeof exp !== "number" || exp - iat > 3600 || iat > now + 60)
      throw new Refused(400, { error: "invalid_grant", error_description: "Invalid JWT: iat/exp" });
    if (typeof scope !== "string" || !scope.split(" ").includes(FCM_SCOPE))
      throw new Refused(400, {
        error: "invalid_scope",
        error_description: "firebase.messaging scope missing",
      });
    const accessToken = `ya29.stand-in.${randomBytes(18).toString("base64url")}`;
    issued.set(accessToken, Date.now() + lifetime * 1000);
    return { access_token: accessToken, expires_in: lifetime, token_type: "Bearer" };
  }

  function send(req: IncomingMessage, project: string, body: Buffer): Answer {
    const accessToken = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    const expiry = issued.get(accessToken);
    if (expiry === undefined || expiry <= Date.now())
      throw new Refused(
        401,
        rpcError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."),
      );
    if (project !== projectId) throw new Refused(403, rpcError(403, "PERMISSION_DENIED", "wrong project"));
    let parsed: { message?: unknown; validate_only?: unknown };
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw new Refused(400, rpcError(400, "INVALID_ARGUMENT", "Invalid JSON payload received."));
    }
    if (!validMessage(parsed.message))
      throw new Refused(400, rpcError(400, "INVALID_ARGUMENT", "Invalid message shape", "INVALID_ARGUMENT"));
    const message = parsed.message;
    const reply = scripts.get(message.token)?.shift();
    const error = reply ? ERRORS[reply.error] : undefined;
    const status = error?.http ?? 200;
    messages.push({ at: Date.now(), status, projectId: project, accessToken, message });
    if (reply && error) {
      const json = rpcError(error.http, error.status, error.message, reply.error);
      return reply.retryAfter ? { status, json, retryAfter: reply.retryAfter } : { status, json };
    }
    return { status, json: { name: `projects/${project}/messages/0:${randomUUID()}` } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://stand-in").pathname;
    const { body } = await readBody(req);
    try {
      if (req.method === "POST" && path === "/token") {
        const json = await grant(body);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(json));
        return;
      }
      const match = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(path);
      if (req.method !== "POST" || !match?.[1])
        throw new Refused(404, rpcError(404, "NOT_FOUND", "no route"));
      const answer = send(req, decodeURIComponent(match[1]), body);
      const headers: Record<string, string> = { "content-type": "application/json; charset=UTF-8" };
      if (answer.retryAfter) headers["retry-after"] = answer.retryAfter;
      res.writeHead(answer.status, headers).end(JSON.stringify(answer.json));
    } catch (error) {
      const status = error instanceof Refused ? error.status : 500;
      rejected.push({ path, status, reason: (error as Error).message });
      const json = error instanceof Refused ? error.body : rpcError(500, "INTERNAL", "stand-in failure");
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
    }
  }

  const server = await startRestartable((req, res) => void handle(req, res), options.port);
  tokenUri = `${server.origin}/token`;
  const account: ServiceAccount = {
    type: "service_account",
    project_id: projectId,
    private_key_id: randomBytes(20).toString("hex"),
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    client_email: clientEmail,
    client_id: String(100_000_000_000 + Math.floor(Math.random() * 1e9)),
    token_uri: tokenUri,
  };
  const service = Object.assign(server, {
    projectId,
    baseUrl: server.origin,
    tokenUri,
    serviceAccount: () => ({ ...account }),
    tokenRequests: 0,
    messages,
    rejected,
    script(token: string, replies: FcmReply[]) {
      scripts.set(token, [...replies]);
    },
    revokeTokens() {
      issued.clear();
    },
  });
  // A live count (Object.assign would copy a getter's value once).
  Object.defineProperty(service, "tokenRequests", { get: () => tokenRequests });
  return service;
}

import type { PushTarget } from "@fluxnotify/db/queries/push";
import { parseRetryAfter, type SendResult } from "@fluxnotify/shared/delivery";
import { NonRetryableError, RetryableError } from "@fluxnotify/shared/errors";
import { PushGoneError } from "./errors";
import type { FcmTokenSource } from "./fcm-token";
import { describeBody, type HttpResponse, type PushHttp } from "./http";
import { fcmData, type PushRendered } from "./payload";

export interface FcmOptions {
  http: PushHttp;
  tokens: FcmTokenSource;
  projectId: string;
  /** FCM_BASE_URL: configuration only, never anything a user gave. */
  baseUrl: string;
  ttlSeconds: number;
}

interface FcmErrorBody {
  error?: { status?: string; message?: string; details?: Array<{ errorCode?: string }> };
}

function errorOf(response: HttpResponse): { status?: string; errorCode?: string; message: string } {
  let parsed: FcmErrorBody = {};
  try {
    parsed = JSON.parse(response.body) as FcmErrorBody;
  } catch {}
  const error = parsed.error ?? {};
  const errorCode = error.details?.find((d) => typeof d.errorCode === "string")?.errorCode;
  return {
    ...(error.status ? { status: error.status } : {}),
    ...(errorCode ? { errorCode } : {}),
    message: describeBody(error.message ?? response.body),
  };
}

/** FCM HTTP v1's errors (FcmError codes, google.rpc statuses) as CONTRACT §5 outcomes. */
function outcomeOf(
  response: HttpResponse,
  target: PushTarget,
  sentWith: string,
  tokens: FcmTokenSource,
): SendResult {
  const status = response.statusCode;
  if (status >= 200 && status < 300) {
    let name: unknown;
    try {
      name = (JSON.parse(response.body) as { name?: unknown }).name;
    } catch {}
    return typeof name === "string" ? { providerMessageId: name } : {};
  }
  const error = errorOf(response);
  const codes = [error.errorCode, error.status].filter(Boolean);
  // The registration token itself is the credential of a device: never in a message.
  const message = error.message.replaceAll(target.address, "<token>");
  const detail = `FCM answered ${status}${codes.length ? ` ${codes.join("/")}` : ""}${message ? ` (${message})` : ""}`;
  const has = (code: string) => codes.includes(code);
  // A 404 counts when FCM itself said it (a google.rpc NOT_FOUND): a 404 page from a wrong
  // FCM_BASE_URL must not delete every app's token.
  if (has("UNREGISTERED") || (status === 404 && has("NOT_FOUND")))
    throw new PushGoneError(
      "PUSH_FCM_UNREGISTERED",
      `${detail}: FCM token ${target.id} is no longer valid; removed`,
      true,
    );
  if (has("THIRD_PARTY_AUTH_ERROR")) throw new NonRetryableError("PUSH_FCM_THIRD_PARTY_AUTH_ERROR", detail);
  if (status === 401) {
    // Expired or revoked early: the next attempt fetches a fresh token.
    tokens.invalidate(sentWith);
    throw new RetryableError("PUSH_FCM_UNAUTHENTICATED", detail);
  }
  const retryAfterMs = parseRetryAfter(response.headers["retry-after"]);
  const wait = retryAfterMs === undefined ? {} : { retryAfterMs };
  if (status === 429 || has("QUOTA_EXCEEDED"))
    throw new RetryableError("PUSH_FCM_QUOTA_EXCEEDED", detail, wait);
  if (status >= 500 || has("UNAVAILABLE") || has("INTERNAL"))
    throw new RetryableError(has("INTERNAL") ? "PUSH_FCM_INTERNAL" : "PUSH_FCM_UNAVAILABLE", detail, wait);
  if (has("INVALID_ARGUMENT")) throw new NonRetryableError("PUSH_FCM_INVALID_ARGUMENT", detail);
  if (has("SENDER_ID_MISMATCH")) throw new NonRetryableError("PUSH_FCM_SENDER_ID_MISMATCH", detail);
  if (status >= 300 && status < 400)
    throw new NonRetryableError("PUSH_FCM_REDIRECT_REFUSED", `${detail}; redirects are never followed`);
  throw new NonRetryableError(`PUSH_FCM_HTTP_${status}`, detail);
}

/** Sends to an app through FCM HTTP v1 (`messages:send`), authenticated as the service account. */
export function fcmSender(options: FcmOptions) {
  const { http, tokens, ttlSeconds } = options;
  const url = new URL(
    `${options.baseUrl.replace(/\/+$/, "")}/v1/projects/${encodeURIComponent(options.projectId)}/messages:send`,
  );
  return async (target: PushTarget, rendered: PushRendered): Promise<SendResult> => {
    const { payload, urgency } = rendered;
    const accessToken = await tokens.get();
    const message = {
      token: target.address,
      notification: { title: payload.title, body: payload.body },
      data: fcmData(payload),
      // The same lifetime and urgency as Web Push, in the forms Android and browsers read.
      android: { ttl: `${ttlSeconds}s`, priority: urgency === "high" ? "HIGH" : "NORMAL" },
      webpush: { headers: { TTL: String(ttlSeconds), Urgency: urgency } },
    };
    const response = await http.post(
      url,
      { json: { message }, headers: { authorization: `Bearer ${accessToken}` } },
      "FCM",
    );
    return outcomeOf(response, target, accessToken, tokens);
  };
}

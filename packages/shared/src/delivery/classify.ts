import { AppError, RetryableError } from "../errors";
import type { Classification } from "./types";

/**
 * How a channel judges the errors it raised itself (typed AppErrors: a provider's answer
 * already decided) and anything unforeseen (`unexpectedCode`, transient: retried, never
 * dropped). A strategy's `classify` handles its transport errors first, then ends here.
 */
export function classifyAppError(error: unknown, unexpectedCode: string): Classification {
  if (error instanceof RetryableError) {
    return error.retryAfterMs === undefined
      ? { kind: "transient", code: error.code }
      : { kind: "transient", code: error.code, retryAfterMs: error.retryAfterMs };
  }
  if (error instanceof AppError)
    return { kind: error.retryable ? "transient" : "permanent", code: error.code };
  return { kind: "transient", code: unexpectedCode };
}

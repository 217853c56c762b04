/**
 * Every error we raise on purpose carries a stable `code`, so logs, metrics, DLQ headers
 * and HTTP problem documents can name the failure without parsing messages.
 *
 * `retryable` is the one bit the delivery runtime needs: false sends a message straight to
 * the dead-letter topic, true lets it retry with backoff.
 */
export class AppError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** The input itself is wrong: retrying cannot help, dead-letter it with this reason. */
export class NonRetryableError extends AppError {
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, retryable: false });
  }
}

/** A dependency failed in a way that may pass: retry with backoff. */
export class RetryableError extends AppError {
  /** Provider-requested delay (e.g. HTTP Retry-After), overriding the backoff schedule. */
  readonly retryAfterMs: number | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(code, message, { cause: options.cause, retryable: true });
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class ConfigError extends AppError {
  constructor(message: string) {
    super("CONFIG_INVALID", message);
  }
}

export function isRetryable(error: unknown): boolean {
  return error instanceof AppError ? error.retryable : true;
}

export function errorCode(error: unknown): string {
  return error instanceof AppError ? error.code : "UNEXPECTED";
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

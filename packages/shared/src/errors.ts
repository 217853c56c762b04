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

/**
 * Whether retrying can ever fix a failure. The consumer runner asks this when a handler
 * throws: transient failures are retried with backoff (the partition waits, and says so
 * through the stalled-partition signal); permanent ones are isolated to the record that
 * causes them and dead-lettered, so no single record can stop a partition.
 *
 * Only failures known to depend on the data are permanent. Anything unknown is transient:
 * dead-lettering every record because a table is missing would be worse than waiting.
 */
export interface FailureVerdict {
  kind: "transient" | "permanent";
  /** Stable code for dead-letter headers and metrics, e.g. SQLSTATE_22P05. */
  code: string;
  reason: string;
}

interface Coded {
  code?: unknown;
  severity?: unknown;
  cause?: unknown;
  errors?: unknown;
  name?: unknown;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The PostgreSQL error in a cause chain (drizzle wraps postgres.js errors in its own). */
function findPostgresError(error: unknown, depth = 0): { code: string; message: string } | undefined {
  if (!error || typeof error !== "object" || depth > 5) return undefined;
  const { code, severity, cause } = error as Coded;
  if (typeof code === "string" && SQLSTATE.test(code) && typeof severity === "string")
    return { code, message: errorMessage(error) };
  return findPostgresError(cause, depth + 1);
}

/**
 * SQLSTATE classes 22 (data exception) and 23 (integrity violation) depend on the row, as
 * does 54000 (a value too large for an index, say); connection (08), serialization and
 * deadlock (40), resource (53, 57) and everything else is the database's state, not the row's.
 */
export function isPermanentSqlState(state: string): boolean {
  return state.startsWith("22") || state.startsWith("23") || state === "54000";
}

/** A Kafka protocol error by id anywhere in the error (the client nests them). */
function hasKafkaError(error: unknown, id: string, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 5) return false;
  const { code, cause, errors, name, id: errorId } = error as Coded & { id?: unknown };
  if (errorId === id || code === id || name === id) return true;
  if (Array.isArray(errors) && errors.some((inner) => hasKafkaError(inner, id, depth + 1))) return true;
  return hasKafkaError(cause, id, depth + 1);
}

export function classifyFailure(error: unknown): FailureVerdict {
  const reason = errorMessage(error).slice(0, 1_000);
  if (error instanceof AppError) {
    return { kind: error.retryable ? "transient" : "permanent", code: error.code, reason };
  }
  const postgres = findPostgresError(error);
  if (postgres !== undefined) {
    // The server's message, not a wrapper's: drizzle's embeds the query and its parameters.
    return {
      kind: isPermanentSqlState(postgres.code) ? "permanent" : "transient",
      code: `SQLSTATE_${postgres.code}`,
      reason: `PostgreSQL ${postgres.code}: ${postgres.message.split("\n")[0]}`.slice(0, 1_000),
    };
  }
  if (hasKafkaError(error, "MESSAGE_TOO_LARGE")) {
    return { kind: "permanent", code: "RECORD_TOO_LARGE", reason };
  }
  // Engine errors are deterministic: the same input throws the same way on every retry.
  if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError) {
    return { kind: "permanent", code: `UNPROCESSABLE_${error.name.toUpperCase()}`, reason };
  }
  return { kind: "transient", code: "TRANSIENT", reason };
}

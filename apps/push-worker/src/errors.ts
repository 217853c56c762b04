import { isDatabaseUnreachable } from "@fluxnotify/db";
import { AppError } from "@fluxnotify/shared/errors";

/**
 * The device is no longer there (FailureKind `gone`: SKIPPED with the code, never retried
 * or dead-lettered). `remove`: the push service said so, and the row must go; a row that
 * was already deleted, or moved to another user, is simply not sent to.
 */
export class PushGoneError extends AppError {
  constructor(
    code: string,
    message: string,
    readonly remove: boolean,
  ) {
    super(code, message);
  }
}

/** Where a request could not even be made: the host the breaker's probe should try. */
export interface NetworkTarget {
  host: string;
  port: number;
}

/** A failure below HTTP (connect, DNS, timeout); `code` is Node's (ECONNREFUSED, ETIMEDOUT, …). */
export class PushTransportError extends Error {
  constructor(
    readonly code: string,
    readonly target: NetworkTarget,
    what: string,
    cause: unknown,
  ) {
    // Host and port only: a push endpoint's path identifies the subscription.
    super(`${what} ${target.host}:${target.port} unreachable: ${code}`, { cause });
    this.name = "PushTransportError";
  }
}

/** Reading or removing a push target failed; `connection`: the database could not be reached. */
export class PushDatabaseError extends Error {
  constructor(
    readonly connection: boolean,
    cause: unknown,
  ) {
    super(`push subscriptions unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = "PushDatabaseError";
  }
}

/** Runs a push-target query, turning its failure into a PushDatabaseError. */
export async function database<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    throw new PushDatabaseError(isDatabaseUnreachable(error), error);
  }
}

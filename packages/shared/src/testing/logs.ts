import { createLogger, type Logger } from "../logger";

export interface CapturedLogs {
  logger: Logger;
  /** Every line written so far, as written. */
  readonly lines: string[];
  /** The lines parsed (each must be one JSON object). */
  entries(): Array<Record<string, unknown>>;
}

/** A real logger (every masking layer on) writing into memory, so a test can read its lines. */
export function captureLogs(name = "test", level = "info"): CapturedLogs {
  const lines: string[] = [];
  const logger = createLogger({
    name,
    level,
    destination: {
      write(line: string) {
        lines.push(line);
      },
    },
  });
  return {
    logger,
    lines,
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/**
 * Values a request or a stored row may carry that no log line may hold: an address, and a
 * Slack webhook whose path is the credential. `needles` are the parts that must not appear
 * (the masked forms keep the domain and the host, which is fine).
 */
export const SENSITIVE = {
  email: "alice.kim@example.com",
  webhookUrl: "https://hooks.slack.com/services/T01ABCDEF/B02GHIJKL/q1w2e3r4t5y6u7i8o9p0asdf",
  needles: ["alice.kim", "T01ABCDEF", "B02GHIJKL", "q1w2e3r4t5y6u7i8o9p0asdf"],
} as const;

/**
 * Which secrets `text` holds in clear: the SENSITIVE needles, and for each of `tokens`
 * (bearer JWTs, passwords) the token and, for a JWT, its payload and signature segments.
 */
export function leaks(text: string, tokens: string[] = []): string[] {
  const needles = [
    ...SENSITIVE.needles,
    ...tokens.flatMap((token) => [
      token,
      ...token
        .split(".")
        .slice(1)
        .filter((part) => part.length > 0),
    ]),
  ];
  return needles.filter((needle) => text.includes(needle));
}

/** The `code` of a logged error and of each error in its cause chain, outermost first. */
export function errorCodes(entry: Record<string, unknown>): string[] {
  const codes: string[] = [];
  let error = entry.err as { code?: unknown; cause?: unknown } | undefined;
  while (error && typeof error === "object") {
    if (typeof error.code === "string") codes.push(error.code);
    error = error.cause as typeof error;
  }
  return codes;
}

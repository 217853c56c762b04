import { parseArgs } from "node:util";
import { MAX_TTL_SECONDS, TOKEN_ROLES, type TokenRequest, tokenRequest } from "./sign";

export const TOKEN_USAGE = `usage: bin/token --user <id> --tenant <id> [--role ${TOKEN_ROLES.join("|")}]... [--ttl 1h]

Prints a development JWT for the HTTP APIs (query-api, dlq-admin), signed with
AUTH_JWT_SECRET or, when it is unset, the dev-only secret the apps fall back to.
  --user    the user id (sub claim)                        required, 1-256 characters
  --tenant  the tenant id (tenant claim)                   required, 1-256 characters
  --role    admin (its own tenant's dashboard and dead letters) or operator (every
            tenant's); repeatable; none = a plain user
  --ttl     lifetime: 90s, 15m, 1h (default), 7d; at most ${MAX_TTL_SECONDS / 86_400}d
Refused with NODE_ENV=production, and when only AUTH_JWKS_URL is set.`;

/** A command line that cannot be turned into a token request; the message names the flag. */
export class UsageError extends Error {
  override name = "UsageError";
}

const FLAG_OF: Record<string, string> = {
  userId: "--user",
  tenantId: "--tenant",
  roles: "--role",
  ttl: "--ttl",
};

/** `--user u --tenant t --role admin --ttl 1h` → a validated token request (or `"help"`). */
export function parseTokenArgs(argv: string[]): TokenRequest | "help" {
  const flags = {
    user: { type: "string" },
    tenant: { type: "string" },
    role: { type: "string", multiple: true },
    ttl: { type: "string" },
    help: { type: "boolean", short: "h" },
  } as const;
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof flags }>>["values"];
  try {
    ({ values } = parseArgs({ args: argv, options: flags, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";
  const request = { userId: values.user, tenantId: values.tenant, roles: values.role, ttl: values.ttl };
  const parsed = tokenRequest.safeParse(request);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const [field, index] = issue.path;
      // The index says which --role was wrong when there are several.
      const value = field === "roles" ? ` ${JSON.stringify(values.role?.[Number(index)])}` : "";
      return `${FLAG_OF[String(field)] ?? String(field)}${value}: ${issue.message}`;
    });
    throw new UsageError(problems.join("\n"));
  }
  // The request as given: signing parses it again (ttl text → seconds) and stays the one check.
  return request as TokenRequest;
}

// Operator CLI over the dlq-admin API (it only calls the HTTP API; no database access).
//
//   pnpm --filter @fluxnotify/dlq-admin dlq list [--status PENDING] [--domain payment] [--channel EMAIL]
//                                                [--error text] [--from ISO] [--to ISO] [--limit 50]
//                                                [--tenant id]
//   pnpm --filter @fluxnotify/dlq-admin dlq show <id>
//   pnpm --filter @fluxnotify/dlq-admin dlq retry <id>
//   pnpm --filter @fluxnotify/dlq-admin dlq retry --all [--tenant …] [--domain …] [--channel …] [--error …]
//   pnpm --filter @fluxnotify/dlq-admin dlq discard <id> --reason "why"
//   pnpm --filter @fluxnotify/dlq-admin dlq original <id> > original.bin   (the value's bytes, also
//                                                 of a dead letter too large to keep as it was)
//
// `retry --all` without a filter replays every pending dead letter the token may act on
// (it sends `"all": true`); with filters, only the matches.
//
// DLQ_ADMIN_URL (default http://127.0.0.1:8081) and DLQ_ADMIN_TOKEN configure it. The token's
// roles decide what it acts on (CONTRACT §4): an `admin` JWT its own tenant's dead letters,
// an `operator` JWT every tenant's (`--tenant` narrows). Without a token, outside
// production, a short-lived operator token is signed with AUTH_JWT_SECRET or the dev-only
// secret, so local use needs no setup.
import { parseArgs } from "node:util";
import { devTokenSigner, TokenSigningRefused, tokenSigningEnv } from "@fluxnotify/shared/dev-token";
import { loadEnv } from "@fluxnotify/shared/env";
import { z } from "zod";

// The only place this script reads its environment.
const env = loadEnv({
  DLQ_ADMIN_URL: z.string().default("http://127.0.0.1:8081"),
  DLQ_ADMIN_TOKEN: z.string().min(1).optional(),
  // Who the signed operator token names (the audit trail records it); any id the API takes.
  USER: z.string().min(1).max(256).catch("operator"),
  ...tokenSigningEnv,
});
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    all: { type: "boolean", default: false },
    status: { type: "string" },
    tenant: { type: "string" },
    domain: { type: "string" },
    channel: { type: "string" },
    error: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    limit: { type: "string" },
    reason: { type: "string" },
  },
});

async function token(): Promise<string> {
  if (env.DLQ_ADMIN_TOKEN) return env.DLQ_ADMIN_TOKEN;
  try {
    return await devTokenSigner(env).sign({
      userId: env.USER,
      tenantId: "platform",
      roles: ["operator"],
      ttl: "5m",
    });
  } catch (error) {
    if (!(error instanceof TokenSigningRefused)) throw error;
    throw new Error(`${error.message}; set DLQ_ADMIN_TOKEN to an admin or operator JWT`);
  }
}

async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${env.DLQ_ADMIN_URL}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await token()}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const text = await response.text();
    const problem = text ? (JSON.parse(text) as { title?: string; detail?: string }) : {};
    throw new Error(`${response.status} ${problem.title ?? ""}: ${problem.detail ?? text}`);
  }
  return response;
}

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const text = await (await request(method, path, body)).text();
  return text ? JSON.parse(text) : undefined;
}

const filters = () =>
  Object.fromEntries(
    (["tenant", "domain", "channel", "error", "from", "to"] as const)
      .filter((name) => values[name] !== undefined)
      .map((name) => [name, values[name] as string]),
  );

interface Item {
  id: string;
  tenantId: string | null;
  status: string;
  domain: string;
  channel: string | null;
  errorCode: string | null;
  errorMessage: string;
  failedAt: string;
  replayCount: number;
}

async function main(): Promise<void> {
  const [command, id] = positionals;
  switch (command) {
    case "list": {
      const query = new URLSearchParams({
        ...filters(),
        ...(values.status ? { status: values.status } : {}),
        limit: values.limit ?? "50",
      });
      const page = (await call("GET", `/api/v1/admin/dlq?${query}`)) as {
        items: Item[];
        totals: Array<{ domain: string; channel: string | null; count: number }>;
      };
      console.table(
        page.items.map((item) => ({
          id: item.id,
          tenant: item.tenantId ?? "(unknown)",
          status: item.status,
          domain: item.domain,
          channel: item.channel ?? "(ingest)",
          code: item.errorCode,
          error: item.errorMessage.slice(0, 60),
          failedAt: item.failedAt,
          replays: item.replayCount,
        })),
      );
      for (const total of page.totals)
        console.log(`  ${total.domain}/${total.channel ?? "ingest"}: ${total.count}`);
      return;
    }
    case "show":
      console.log(JSON.stringify(await call("GET", `/api/v1/admin/dlq/${required(id)}`), null, 2));
      return;
    case "retry":
      if (values.all) {
        // The API refuses an empty filter unless "all" says so: only a bare --all means everything.
        const filter = filters();
        const body = Object.keys(filter).length > 0 ? filter : { all: true };
        console.log(await call("POST", "/api/v1/admin/dlq/retry-all", body));
      } else console.log(await call("POST", `/api/v1/admin/dlq/${required(id)}/retry`));
      return;
    case "discard": {
      const reason = values.reason ? `?reason=${encodeURIComponent(values.reason)}` : "";
      await call("DELETE", `/api/v1/admin/dlq/${required(id)}${reason}`);
      console.log(`dead letter ${id} discarded`);
      return;
    }
    case "original": {
      const response = await request("GET", `/api/v1/admin/dlq/${required(id)}/original`);
      process.stdout.write(Buffer.from(await response.arrayBuffer()));
      return;
    }
    default:
      throw new Error(
        "usage: dlq list|show <id>|retry <id>|retry --all|discard <id> --reason <text>|original <id>",
      );
  }
}

function required(id: string | undefined): string {
  if (!id) throw new Error("this command needs a dead-letter id");
  return id;
}

main().catch((error: unknown) => {
  console.error(`dlq: ${(error as Error).message}`);
  process.exit(1);
});

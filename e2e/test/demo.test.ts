import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { REPO_ROOT } from "@fluxnotify/platform/apps";
import { cleanEnv } from "@fluxnotify/platform/supervisor";
import { describe, expect, inject, it } from "vitest";
import "../src/provided";
import { apiFor } from "../src/api";
import { logHint, observed } from "../src/observe";
import { E2E, QUERY_API, slackPathOf, tenantsOf } from "../src/resources";

const runId = inject("e2eRunId");
const tenant = tenantsOf(runId).demo;
// A user nothing has set up: on a fresh database it has no settings, as in issue 17.
const user = "newcomer";
const email = `${user}@example.com`;
const ownWebhookPath = `${slackPathOf(tenant)}/${user}`;
const api = apiFor(tenant);
/** The push stand-in's browser named "demo": the same one every run, as bin/dev's stand-in gives. */
const DEMO_BROWSER = `${inject("e2eSinkControl")}/push/browsers/demo`;

interface DemoRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the demo script itself (what bin/demo execs), pointed at this suite's platform:
 * its query-api, private broker and webhook sink. Nothing else reaches it from the shell:
 * the platform's variables are dropped as the supervisor drops them for the apps (so the
 * demo signs with the dev-only secret the apps verify with), and so is any DEMO_*.
 */
function runDemo(overrides: Record<string, string> = {}): Promise<DemoRun> {
  const inherited = Object.entries(cleanEnv(process.env)).filter(
    ([name]) => !name.startsWith("DEMO_") && name !== "QUERY_API_URL",
  );
  const env = {
    ...Object.fromEntries(inherited),
    QUERY_API_URL: QUERY_API,
    KAFKA_BROKERS: `127.0.0.1:${E2E.brokerPort}`,
    REDIS_URL: E2E.redisUrl,
    DEMO_TENANT: tenant,
    DEMO_USER: user,
    DEMO_SLACK_WEBHOOK_URL: `http://127.0.0.1:${E2E.webhookPort}${ownWebhookPath}`,
    DEMO_TIMEOUT_MS: "20000",
    // The push stand-in's browser named "demo" (the same one every run, as bin/dev's).
    DEMO_PUSH_BROWSER_URL: DEMO_BROWSER,
    ...overrides,
  };
  const script = join(REPO_ROOT, "packages", "demo", "src", "main.ts");
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", script],
      { cwd: REPO_ROOT, env, timeout: 25_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const explain = (run: DemoRun) => `demo exited ${run.code}\n${run.stdout}\n${run.stderr}\n${logHint()}`;

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the demo (packages/demo, bin/demo)", () => {
  it("from a fresh database: settings through the API, then every channel SENT, and says where to look", async () => {
    const run = await runDemo();
    expect(run.code, explain(run)).toBe(0);
    expect(run.stdout).toContain("every channel delivered");

    // The outside world received it: two emails, the user's own Slack post and the tenant's.
    const seen = await observed();
    const mails = seen.mail.filter((mail) => mail.to.includes(email));
    expect(mails.map((mail) => mail.subject).sort()).toEqual([
      "[FluxPay] 결제가 완료되었습니다",
      "[FluxPay] 결제에 실패했습니다",
    ]);
    expect(seen.slack.filter((post) => post.path === ownWebhookPath)).toHaveLength(1);
    expect(seen.slack.filter((post) => post.path === slackPathOf(tenant))).toHaveLength(1);
    expect(
      seen.inapp.filter((message) => message.channel === `notifications:${tenant}:${user}`),
    ).toHaveLength(3);
    // The demo's browser, registered through the API: both payments pushed, decrypted by it.
    const demoBrowser = (await (await fetch(DEMO_BROWSER, { method: "POST" })).json()) as {
      endpoint: string;
    };
    const pushed = seen.push.filter((push) => push.endpoint === demoBrowser.endpoint);
    expect(pushed.map((push) => (push.payload as { eventType: string }).eventType).sort()).toEqual([
      "com.fluxpay.payment.approved",
      "com.fluxpay.payment.failed",
    ]);

    // The history, with a token from the same signer as bin/token: SENT on every channel.
    const history = await api.history(user);
    const statuses = history.map((item) => `${item.channel} ${item.eventType} ${item.status}`).sort();
    expect(statuses).toEqual([
      "EMAIL com.fluxpay.payment.approved SENT",
      "EMAIL com.fluxpay.payment.failed SENT",
      "IN_APP com.fluxpay.order.created SENT",
      "IN_APP com.fluxpay.payment.approved SENT",
      "IN_APP com.fluxpay.payment.failed SENT",
      "PUSH com.fluxpay.payment.approved SENT",
      "PUSH com.fluxpay.payment.failed SENT",
      "SLACK com.fluxpay.payment.failed SENT",
      "SLACK com.fluxpay.payment.failed SENT",
    ]);

    // The curl it prints works as pasted: its token and URL answer the same history.
    const curl = /curl -s -H "Authorization: Bearer (\S+)" '(\S+)'/.exec(run.stdout);
    expect(curl, run.stdout).not.toBeNull();
    const [, token, url] = curl as RegExpExecArray;
    const response = await fetch(url as string, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { items: unknown[] }).items).toHaveLength(9);

    // The inbox page link signs in with the same token, in the fragment only.
    const inbox = /(http:\/\/\S+\/inbox\/)#token=(\S+)/.exec(run.stdout);
    expect(inbox, run.stdout).not.toBeNull();
    const [, page, inboxToken] = inbox as RegExpExecArray;
    expect([(await fetch(page as string)).status, inboxToken]).toEqual([200, token]);
  });

  it("is safe to run again: new orders and payments, the same settings", async () => {
    const run = await runDemo();
    expect(run.code, explain(run)).toBe(0);
    const history = await api.history(user);
    expect(history).toHaveLength(18); // one browser: registering it again added no device
    expect(new Set(history.map((item) => item.eventId)).size).toBe(6);
    expect(history.every((item) => item.status === "SENT")).toBe(true);
    expect((await observed()).mail.filter((mail) => mail.to.includes(email))).toHaveLength(4);
  });

  it("says what is wrong instead of waiting: query-api down, production without a token", async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    const [unreachable, production] = await Promise.all([
      runDemo({ QUERY_API_URL: down }),
      runDemo({ NODE_ENV: "production" }),
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(
      `query-api not reachable at ${down} (ECONNREFUSED): is bin/dev running?`,
    );
    expect(production.code).toBe(1);
    expect(production.stderr).toMatch(/NODE_ENV=production.*set DEMO_TOKEN/);
  });
});

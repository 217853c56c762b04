// Local supervisor for bin/dev: starts the SMTP and Slack stand-ins and all six apps with
// prefixed output, waits until each answers /readyz, and on Ctrl-C (or SIGTERM) stops
// them all gracefully (SIGTERM, then SIGKILL after a deadline) so nothing is left behind.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const root = resolve(import.meta.dirname, "..");
const slackPort = 4010;
const localSlack = `http://127.0.0.1:${slackPort}/services/local`;

interface Proc {
  name: string;
  args: string[];
  env?: Record<string, string>;
  readyUrl?: string;
}

const node = (script: string) => [process.execPath, "--import", "tsx", resolve(root, script)];
const procs: Proc[] = [
  {
    name: "maildev",
    args: [
      resolve(root, "node_modules/.bin/maildev"),
      "--smtp",
      "1025",
      "--web",
      "1080",
      "--ip",
      "127.0.0.1",
      "--web-ip",
      "127.0.0.1",
    ],
    readyUrl: "http://127.0.0.1:1080/index.html",
  },
  {
    name: "slack-standin",
    args: [...node("scripts/slack-standin.ts"), String(slackPort)],
    readyUrl: `http://127.0.0.1:${slackPort}/`,
  },
  {
    name: "ingest-worker",
    args: node("apps/ingest-worker/src/index.ts"),
    env: { SLACK_WEBHOOK_URL_TENANT_A: localSlack },
    readyUrl: "http://127.0.0.1:9101/readyz",
  },
  {
    name: "email-worker",
    args: node("apps/email-worker/src/index.ts"),
    env: { SMTP_HOST: "127.0.0.1", SMTP_PORT: "1025" },
    readyUrl: "http://127.0.0.1:9102/readyz",
  },
  {
    name: "slack-worker",
    args: node("apps/slack-worker/src/index.ts"),
    env: {
      SLACK_ALLOWED_HOSTS: `hooks.slack.com,127.0.0.1:${slackPort}`,
      SLACK_ALLOW_INSECURE_LOOPBACK: "true",
    },
    readyUrl: "http://127.0.0.1:9103/readyz",
  },
  {
    name: "inapp-worker",
    args: node("apps/inapp-worker/src/index.ts"),
    readyUrl: "http://127.0.0.1:9104/readyz",
  },
  { name: "query-api", args: node("apps/query-api/src/index.ts"), readyUrl: "http://127.0.0.1:8080/readyz" },
  { name: "dlq-admin", args: node("apps/dlq-admin/src/index.ts"), readyUrl: "http://127.0.0.1:8081/readyz" },
];

const colors = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94];
const children = new Map<string, ChildProcess>();
let stopping = false;

function prefixLines(name: string, color: number, stream: NodeJS.ReadableStream) {
  let buffered = "";
  stream.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) process.stdout.write(`\x1b[${color}m${name.padEnd(14)}\x1b[0m ${line}\n`);
  });
}

procs.forEach((proc, index) => {
  const child = spawn(proc.args[0] as string, proc.args.slice(1), {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "info", ...proc.env },
    stdio: ["ignore", "pipe", "pipe"],
    // Own process group: Ctrl-C reaches only this supervisor, which then sends each child
    // exactly one SIGTERM (a second signal would make the apps skip their graceful drain).
    detached: true,
  });
  const color = colors[index % colors.length] as number;
  prefixLines(proc.name, color, child.stdout as NodeJS.ReadableStream);
  prefixLines(proc.name, color, child.stderr as NodeJS.ReadableStream);
  child.on("exit", (code, signal) => {
    children.delete(proc.name);
    if (!stopping) {
      console.error(`${proc.name} exited (${signal ?? code}); stopping everything`);
      void stopAll(1);
    }
  });
  children.set(proc.name, child);
});

async function waitReady(proc: Proc, timeoutMs = 90_000): Promise<boolean> {
  const started = Date.now();
  while (!stopping && Date.now() - started < timeoutMs) {
    try {
      if ((await fetch(proc.readyUrl as string)).ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(300);
  }
  return false;
}

async function stopAll(exitCode: number) {
  if (stopping) return;
  stopping = true;
  console.log("stopping all processes…");
  for (const child of children.values()) child.kill("SIGTERM");
  const deadline = Date.now() + 30_000;
  while (children.size > 0 && Date.now() < deadline) await sleep(100);
  for (const [name, child] of children) {
    console.error(`${name} did not stop in time; killing it`);
    child.kill("SIGKILL");
  }
  process.exit(exitCode);
}

process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

const ready = await Promise.all(procs.map(async (proc) => [proc, await waitReady(proc)] as const));
if (!stopping) {
  console.log("\n  service          ready  url");
  for (const [proc, ok] of ready)
    console.log(`  ${proc.name.padEnd(16)} ${ok ? "yes  " : "NO   "}  ${proc.readyUrl}`);
  console.log(
    "\n  mail UI: http://127.0.0.1:1080/index.html   API: http://127.0.0.1:8080/openapi.json   Ctrl-C stops everything\n",
  );
}

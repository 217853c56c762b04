/**
 * The inbox stream (issue 14) under load: idle memory per open stream, and notification →
 * client latency through the in-app worker's own path.
 *   pnpm --filter @fluxnotify/query-api exec tsx scripts/bench-stream.ts [--streams 1000] [--rate 100]
 *     [--seconds 30] [--processes 1] [--streams-per-user 1] [--runtime compiled|tsx]
 *     [--database-url postgres://postgres@127.0.0.1:5432/fluxnotify_bench_stream]
 *     [--redis-url redis://127.0.0.1:6379/14] [--settle 5] [--drain 10] [--out FILE] [--no-save]
 *
 * query-api runs as its own process(es), scripts/load-server.ts (the HTTP app and the inbox's
 * stream hub, no projection), compiled by default: bundled with @fluxnotify/build as every app
 * is (into .cache/bench-stream, rebuilt when a source changed) and run with `node`, as in the
 * image. `--runtime tsx` runs the same file through tsx instead. The server gets `--expose-gc`
 * and a SIGUSR2 hook that collects garbage (nothing else differs), so memory is read after a
 * full GC. BENCH_NODE_ARGS adds node flags (e.g. "--cpu-prof --cpu-prof-dir=/tmp/qa-prof");
 * BENCH_HEAP_SNAPSHOTS=<dir> writes a heap snapshot at each memory reading (see GC_HOOK).
 *
 * 1. Creates and migrates the database when needed; clears the bench tenant's inbox.
 * 2. Starts the server(s); opens and closes a few streams, so code is loaded.
 * 3. Memory per idle stream, twice: "cold" (the process as started) and "warm" (after it
 *    has held and let go of as many streams: V8's young generation already sized for the
 *    burst of connects, malloc's arenas grown; a server that has run a while). Each time: a
 *    full GC, VmRSS (/proc/<pid>/status) and process.memoryUsage(); open `streams` streams
 *    (GET /api/v1/notifications/stream, Bearer JWT, one user each by default, split
 *    round-robin between the processes) over node:http and wait for every stream's first
 *    `event: unread`; `settle` s idle; GC and read again: delta / streams. The cold streams
 *    are closed before the warm ones open (the same users).
 * 4. Publishes `rate` notifications/s for `seconds` s, each to a random user, with the in-app
 *    worker's own code (inAppStrategy(...).send(render(command)): the inbox append in
 *    PostgreSQL, then one MULTI publishing the §5 message and the inbox announcement).
 *    Latency: publish start → the `event: notification` parsed at the client (same clock).
 *    Server CPU: utime + stime (/proc/<pid>/stat) from the first publish to the last delivery.
 * 5. Reports JSON and a summary; saves bench/results/issue-14/<name>.json.
 *
 * Exit status 1 when a notification was lost, duplicated or misrouted, 2 when the run failed.
 * Redis: its own channel prefix per run (Pub/Sub ignores the database number), keys removed
 * at the end. Everything started is stopped on exit, Ctrl-C included.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, type ClientRequest, request } from "node:http";
import { cpus, loadavg, release, totalmem, type } from "node:os";
import { dirname, join, relative } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { bundle, isFresh } from "@fluxnotify/build";
import { createDbClient, type DbClient } from "@fluxnotify/db";
import { runMigrations } from "@fluxnotify/db/migrate";
import type { ChannelCommand } from "@fluxnotify/shared/contracts";
import { sampleCommand } from "@fluxnotify/shared/delivery/testing";
import { signToken } from "@fluxnotify/shared/dev-token";
import { createLogger } from "@fluxnotify/shared/logger";
import { createRedis, type Redis } from "@fluxnotify/shared/redis";
// The in-app worker's own strategy: what is measured is the path notifications take.
import { type InAppRendered, inAppStrategy } from "../../inapp-worker/src/strategy";

const OPTIONS = {
  streams: { type: "string", default: "1000" },
  rate: { type: "string", default: "100" },
  seconds: { type: "string", default: "30" },
  processes: { type: "string", default: "1" },
  "streams-per-user": { type: "string", default: "1" },
  runtime: { type: "string", default: "compiled" },
  "database-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432/fluxnotify_bench_stream" },
  "redis-url": { type: "string", default: "redis://127.0.0.1:6379/14" },
  settle: { type: "string", default: "5" },
  drain: { type: "string", default: "10" },
  "connect-concurrency": { type: "string", default: "100" },
  out: { type: "string" },
  "no-save": { type: "boolean", default: false },
} as const satisfies ParseArgsOptionsConfig;

/** A usage error: said in one line, without a stack. */
function usage(message: string): never {
  process.stderr.write(
    `bench-stream: ${message}\nusage: see the comment at the top of scripts/bench-stream.ts\n`,
  );
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({ options: OPTIONS });
  } catch (error) {
    return usage((error as Error).message);
  }
})();

function positiveInt(name: string, text: string | undefined, min = 1): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) usage(`--${name} must be an integer ≥ ${min}, got ${text}`);
  return n;
}
const STREAMS = positiveInt("streams", values.streams);
const RATE = positiveInt("rate", values.rate);
const SECONDS = positiveInt("seconds", values.seconds);
const PROCESSES = positiveInt("processes", values.processes);
const PER_USER = positiveInt("streams-per-user", values["streams-per-user"]);
const SETTLE_S = positiveInt("settle", values.settle, 0);
const DRAIN_S = positiveInt("drain", values.drain);
const CONNECT_CONCURRENCY = positiveInt("connect-concurrency", values["connect-concurrency"]);
const RUNTIME = values.runtime;
if (RUNTIME !== "compiled" && RUNTIME !== "tsx") usage("--runtime is compiled or tsx");
if (STREAMS % PER_USER !== 0) usage("--streams must be a multiple of --streams-per-user");
const USERS = STREAMS / PER_USER;
const DATABASE_URL = values["database-url"];
const REDIS_URL = values["redis-url"];

const TENANT = "bench-stream";
/** Streams opened and closed first of all, so code is loaded before anything is measured. */
const FIRST_STREAMS = 20;
const RUN_ID = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
/** INAPP_CHANNEL_PREFIX of this run: its channels and keys are its own. */
const PREFIX = `bench-stream-${RUN_ID}:`;
const SECRET = randomBytes(32).toString("hex");

const here = dirname(fileURLToPath(import.meta.url));
const appDir = join(here, "..");
const repoRoot = join(appDir, "..", "..");
const loadServer = join(here, "load-server.ts");
const bundleDir = join(appDir, ".cache", "bench-stream");
const BUNDLE_ENTRY = [{ name: "stream-server", source: relative(bundleDir, loadServer) }];

const logger = createLogger({ name: "bench-stream", level: "warn" });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const log = (text: string) => process.stderr.write(`[bench-stream] ${text}\n`);

// ---------------------------------------------------------------- process measurements

const CLOCK_TICK_MS = (() => {
  try {
    return 1000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  } catch {
    return 10;
  }
})();

/** utime + stime of a process, in ms (/proc/<pid>/stat fields 14 and 15). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
}

/** Busy and total ticks of every core (/proc/stat), whoever used them. */
function machineTicks(): { busy: number; total: number } {
  const [line] = readFileSync("/proc/stat", "utf8").split("\n");
  const ticks = (line ?? "").trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

/** VmRSS in bytes. */
function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** The value of each sample of `/metrics`, by name with its labels, e.g. `inbox_streams_ended_total{reason="client"}`. */
async function scrape(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    // The service label is the same on every sample: drop it from the key.
    const key = line
      .slice(0, space)
      .replace(/,?service="[^"]*"/, "")
      .replace(/\{,/, "{")
      .replace(/\{\}$/, "");
    samples.set(key, Number(line.slice(space + 1)));
  }
  return samples;
}

const metricsOf = (samples: Map<string, number>, prefix: string) =>
  Object.fromEntries([...samples].filter(([key]) => key.startsWith(prefix)));

// ---------------------------------------------------------------- the server processes

interface Server {
  index: number;
  child: ChildProcess;
  pid: number;
  port: number;
  /** Collects garbage in the server; resolves with what its hook reports right after. */
  gc(): Promise<HeapReport>;
}

const servers: Server[] = [];

/** What the server's GC hook prints after collecting: process.memoryUsage() and V8's spaces (committed bytes). */
interface HeapReport {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  spaces: Record<string, { committed: number; used: number }>;
}

/**
 * Collects garbage on SIGUSR2 and says so on stdout, with the heap's figures (the bench waits
 * for the line). With BENCH_HEAP_SNAPSHOTS set, every second collection (each memory reading's
 * last) also writes a heap snapshot there: memory-1 = before the cold streams, 2 = with them,
 * 3 = before the warm ones, 4 = with them.
 */
const GC_HOOK = `
const v8 = process.getBuiltinModule("node:v8");
const snapshots = process.env.BENCH_HEAP_SNAPSHOTS;
let collections = 0;
process.on("SIGUSR2", () => {
  globalThis.gc();
  globalThis.gc();
  collections += 1;
  if (snapshots && collections % 2 === 0)
    v8.writeHeapSnapshot(snapshots + "/memory-" + process.pid + "-" + collections / 2 + ".heapsnapshot");
  const spaces = {};
  for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name] = { committed: s.physical_space_size, used: s.space_used_size };
  process.stdout.write("GC " + JSON.stringify({ ...process.memoryUsage(), spaces }) + "\\n");
});`;

async function serverCommand(): Promise<{ command: string; args: string[]; describe: string }> {
  const nodeArgs = [
    ...(process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean),
    "--expose-gc",
    "--import",
    `data:text/javascript,${encodeURIComponent(GC_HOOK)}`,
  ];
  if (RUNTIME === "tsx") {
    return {
      command: process.execPath,
      args: [...nodeArgs, "--import", "tsx", loadServer],
      describe: "node --import tsx scripts/load-server.ts (sources through tsx)",
    };
  }
  if (!(await isFresh(bundleDir, BUNDLE_ENTRY))) {
    mkdirSync(bundleDir, { recursive: true });
    const started = Date.now();
    await bundle(bundleDir, BUNDLE_ENTRY);
    log(`bundled scripts/load-server.ts → ${relative(appDir, bundleDir)}/dist in ${Date.now() - started} ms`);
  }
  return {
    command: process.execPath,
    args: [...nodeArgs, join(bundleDir, "dist", "stream-server.js")],
    describe:
      "node dist/stream-server.js (scripts/load-server.ts bundled by @fluxnotify/build, no source maps)",
  };
}

async function startServer(index: number, command: { command: string; args: string[] }): Promise<Server> {
  const child = spawn(
    command.command,
    [
      ...command.args,
      "--database-url",
      DATABASE_URL,
      "--redis-url",
      REDIS_URL,
      "--secret",
      SECRET,
      "--channel-prefix",
      PREFIX,
      "--stream-max-per-user",
      String(Math.max(10, PER_USER)),
    ],
    { cwd: appDir, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, NODE_ENV: "development" } },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start the query-api process");
  const waiting: Array<(heap: HeapReport) => void> = [];
  let buffered = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("query-api did not print PORT within 60 s")), 60_000);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`query-api exited while starting (code ${code}, signal ${signal}); see its stderr above`),
      );
    });
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (text: string) => {
      buffered += text;
      let newline = buffered.indexOf("\n");
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf("\n");
        const portMatch = /^PORT (\d+)$/.exec(line);
        if (portMatch) {
          clearTimeout(timer);
          resolve(Number(portMatch[1]));
        }
        if (line.startsWith("GC {")) {
          const report = JSON.parse(line.slice(3)) as HeapReport;
          for (const done of waiting.splice(0)) done(report);
        }
      }
    });
  });
  child.removeAllListeners("exit");
  child.once("exit", (code, signal) => {
    if (!stopping)
      log(`query-api #${index} (pid ${pid}) exited unexpectedly: code ${code}, signal ${signal}`);
  });
  for (let attempt = 0; ; attempt++) {
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (attempt > 100) throw new Error(`query-api #${index} not ready within 20 s`);
    await sleep(200);
  }
  const server: Server = {
    index,
    child,
    pid,
    port,
    gc: () =>
      new Promise<HeapReport>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("the server's GC hook did not answer")), 10_000);
        waiting.push((heap) => {
          clearTimeout(timer);
          resolve(heap);
        });
        child.kill("SIGUSR2");
      }),
  };
  servers.push(server);
  return server;
}

interface MemorySample {
  /** VmRSS (/proc/<pid>/status), after the collection. */
  rssBytes: number;
  /** process.memoryUsage() and V8's spaces right after a full collection. */
  afterGc: HeapReport;
  /** From /metrics (prom-client's own sample, a moment later). */
  metricHeapUsedBytes: number;
  metricRssBytes: number;
  streamsOpen: number;
}

interface PerStreamDelta {
  rssBytes: number;
  /** Live JavaScript objects. */
  heapUsedBytes: number;
  /** V8's heap as committed (live objects, the room around them, the young generation). */
  heapTotalBytes: number;
  /** Buffers outside V8's heap (process.memoryUsage().external). */
  externalBytes: number;
}

function perStreamDelta(before: MemorySample, after: MemorySample, n: number): PerStreamDelta {
  const per = (delta: number) => Math.round(delta / n);
  return {
    rssBytes: per(after.rssBytes - before.rssBytes),
    heapUsedBytes: per(after.afterGc.heapUsed - before.afterGc.heapUsed),
    heapTotalBytes: per(after.afterGc.heapTotal - before.afterGc.heapTotal),
    externalBytes: per(after.afterGc.external - before.afterGc.external),
  };
}

/** After a full GC (twice, a moment apart: the first frees what finalizers held). */
async function memory(server: Server): Promise<MemorySample> {
  await server.gc();
  await sleep(300);
  const afterGc = await server.gc();
  const rss = rssBytes(server.pid);
  await sleep(200);
  const samples = await scrape(server.port);
  return {
    rssBytes: rss,
    afterGc,
    metricHeapUsedBytes: samples.get("nodejs_heap_size_used_bytes") ?? Number.NaN,
    metricRssBytes: samples.get("process_resident_memory_bytes") ?? Number.NaN,
    streamsOpen: samples.get("inbox_streams_open") ?? Number.NaN,
  };
}

// ---------------------------------------------------------------- the SSE clients

interface ClientStream {
  index: number;
  userId: string;
  server: Server;
  req?: ClientRequest;
  status?: number;
  /** Resolves at the first `event: unread`. */
  ready: Promise<void>;
  unreadEvents: number;
  lastSeq: number;
  outOfOrder: number;
  ended: boolean;
}

interface Publication {
  userId: string;
  startedAt: number;
  /** When send() resolved (the MULTI's reply). */
  publishedAt?: number;
  /** The seq the inbox gave it (providerMessageId inbox-seq-N). */
  seq?: number;
  received: number[];
  wrongUser: number;
  wrongSeq: number;
}

const published = new Map<string, Publication>();
const clients: ClientStream[] = [];
let agent: Agent | undefined;
let receivedTotal = 0;
let unknownNotifications = 0;
let stopping = false;

function onEvent(stream: ClientStream, event: string, id: string | undefined, data: string, at: number) {
  if (event === "unread") {
    stream.unreadEvents += 1;
    return;
  }
  if (event !== "notification") return;
  const seq = Number(id);
  if (seq <= stream.lastSeq) stream.outOfOrder += 1;
  stream.lastSeq = Math.max(stream.lastSeq, seq);
  // Only the id is needed; the rest of the message is checked by the tests.
  const { notificationId } = JSON.parse(data) as { notificationId: string };
  const publication = published.get(notificationId);
  if (!publication) {
    unknownNotifications += 1;
    return;
  }
  receivedTotal += 1;
  publication.received.push(at - publication.startedAt);
  if (publication.userId !== stream.userId) publication.wrongUser += 1;
  if (publication.seq !== undefined && publication.seq !== seq) publication.wrongSeq += 1;
}

/** Opens one stream; `ready` resolves at its first `event: unread`, rejects on a refusal. */
function openStream(stream: ClientStream, token: string, httpAgent: Agent): Promise<void> {
  let markReady: () => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  stream.ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    fail = reject;
  });
  stream.ready.catch(() => undefined);
  const req = request({
    host: "127.0.0.1",
    port: stream.server.port,
    path: "/api/v1/notifications/stream",
    headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
    agent: httpAgent,
  });
  stream.req = req;
  req.on("error", (error) => {
    stream.ended = true;
    fail(error);
  });
  req.on("response", (res) => {
    stream.status = res.statusCode;
    res.setEncoding("utf8");
    if (res.statusCode !== 200) {
      let body = "";
      res.on("data", (text: string) => {
        body += text;
      });
      res.on("end", () => fail(new Error(`HTTP ${res.statusCode}: ${body.slice(0, 300)}`)));
      return;
    }
    let buffer = "";
    res.on("data", (text: string) => {
      const at = performance.now();
      buffer += text;
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        let event = "message";
        let id: string | undefined;
        let data: string | undefined;
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") event = value;
          else if (field === "id") id = value;
          else if (field === "data") data = data === undefined ? value : `${data}\n${value}`;
        }
        if (data === undefined) continue;
        onEvent(stream, event, id, data, at);
        if (event === "unread" && stream.unreadEvents === 1) markReady();
      }
    });
    res.on("close", () => {
      stream.ended = true;
      fail(new Error("the stream ended before its first event: unread"));
    });
  });
  req.end();
  return stream.ready;
}

/** Opens every stream, `concurrency` connects in flight; a 503 (subscriber not ready yet) is retried. */
async function openAll(streams: ClientStream[], tokens: Map<string, string>, httpAgent: Agent) {
  let next = 0;
  const refusals: string[] = [];
  const worker = async () => {
    while (next < streams.length) {
      const stream = streams[next++] as ClientStream;
      for (let attempt = 0; ; attempt++) {
        try {
          await openStream(stream, tokens.get(stream.userId) as string, httpAgent);
          break;
        } catch (error) {
          if (stream.status === 503 && attempt < 10) {
            await sleep(200);
            continue;
          }
          refusals.push(`stream ${stream.index} (${stream.userId}): ${(error as Error).message}`);
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, streams.length) }, worker));
  if (refusals.length > 0) {
    throw new Error(`${refusals.length} stream(s) did not open:\n  ${refusals.slice(0, 5).join("\n  ")}`);
  }
}

function closeStreams(streams: ClientStream[]) {
  for (const stream of streams) stream.req?.destroy();
}

// ---------------------------------------------------------------- statistics

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
  const of = (p: number) => round(at(p) ?? Number.NaN, 2);
  return {
    count: sorted.length,
    p50: of(0.5),
    p95: of(0.95),
    p99: of(0.99),
    max: round(sorted.at(-1) ?? Number.NaN, 2),
    mean: round(sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length), 2),
  };
}

function revision(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: repoRoot,
      encoding: "utf8",
    }).trim();
    const changed = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd: repoRoot,
      encoding: "utf8",
    }).trim();
    return changed ? `${head}+changes` : head;
  } catch {
    return "unknown";
  }
}

// ---------------------------------------------------------------- setup and cleanup

let database: DbClient | undefined;
let redis: Redis | undefined;

async function prepareDatabase(): Promise<DbClient> {
  const url = new URL(DATABASE_URL);
  try {
    const { createdDatabase } = await runMigrations(DATABASE_URL);
    if (createdDatabase) log(`created and migrated ${DATABASE_URL}`);
  } catch (error) {
    throw new Error(
      `could not create or migrate ${DATABASE_URL}: ${(error as Error).message}\n` +
        "The script creates and migrates its database itself when the server lets it. Otherwise start PostgreSQL\n" +
        "(the default: user postgres, trust, on 127.0.0.1:5432), or create and migrate the database yourself:\n" +
        `  createdb -h ${url.hostname} -p ${url.port || 5432} -U ${url.username || "postgres"} ${url.pathname.slice(1)}\n` +
        `  DATABASE_URL=${DATABASE_URL} pnpm --filter @fluxnotify/db migrate\n` +
        "or pass --database-url of a database you may create.",
    );
  }
  const client = createDbClient(DATABASE_URL, { max: 10, applicationName: "bench-stream" });
  await clearInbox(client);
  return client;
}

async function clearInbox(client: DbClient) {
  await client.sql`delete from inbox_items where tenant_id = ${TENANT}`;
  await client.sql`delete from inbox_state where tenant_id = ${TENANT}`;
}

async function prepareRedis(): Promise<Redis> {
  const client = createRedis(REDIS_URL, { logger, name: "bench-stream" });
  try {
    await Promise.race([
      client.ping(),
      sleep(5_000).then(() => {
        throw new Error("no answer within 5 s");
      }),
    ]);
  } catch (error) {
    client.disconnect();
    throw new Error(
      `Redis at ${REDIS_URL} unreachable (${(error as Error).message}): start it or pass --redis-url`,
    );
  }
  return client;
}

async function removeRedisKeys(client: Redis) {
  let cursor = "0";
  do {
    const [nextCursor, keys] = await client.scan(cursor, "MATCH", `${PREFIX}*`, "COUNT", 1000);
    cursor = nextCursor;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== "0");
}

async function stopServers() {
  stopping = true;
  await Promise.all(
    servers.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  closeStreams(clients);
  agent?.destroy();
  await stopServers();
  if (redis) {
    await removeRedisKeys(redis).catch(() => undefined);
    await redis.quit().catch(() => undefined);
  }
  if (database) {
    await clearInbox(database).catch(() => undefined);
    await database.close().catch(() => undefined);
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------- the run

async function run() {
  const loadAverageAtStart = loadavg().map((n) => round(n, 2));
  database = await prepareDatabase();
  redis = await prepareRedis();
  const pg = database;
  const [pgRow] = await pg.sql<{ version: string }[]>`select version()`;
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info("server"))?.[1] ?? "unknown";

  const command = await serverCommand();
  log(`starting ${PROCESSES} query-api process(es): ${command.describe}`);
  for (let i = 0; i < PROCESSES; i++) await startServer(i, command);

  const userIds = Array.from({ length: USERS }, (_, i) => `user-${i}`);
  const warmUpIds = Array.from({ length: FIRST_STREAMS }, (_, i) => `warm-${i}`);
  const tokens = new Map<string, string>();
  for (const userId of [...userIds, ...warmUpIds]) {
    tokens.set(userId, await signToken(SECRET, { userId, tenantId: TENANT, ttl: "1h" }));
  }
  const httpAgent = new Agent({ keepAlive: true, maxSockets: STREAMS + FIRST_STREAMS + 10 });
  agent = httpAgent;
  const streamsOf = (ids: string[]): ClientStream[] =>
    ids.map((userId, i) => ({
      index: i,
      userId,
      server: servers[i % PROCESSES] as Server,
      ready: Promise.resolve(),
      unreadEvents: 0,
      lastSeq: 0,
      outOfOrder: 0,
      ended: false,
    }));
  const measuredIds = userIds.flatMap((userId) => Array<string>(PER_USER).fill(userId));
  const perProcessStreams = servers.map((_, i) => measuredIds.filter((_, j) => j % PROCESSES === i).length);
  const streamsOpen = () =>
    Promise.all(servers.map(async (s) => (await scrape(s.port)).get("inbox_streams_open") ?? Number.NaN));
  /** Closes streams and waits until every server has let go of them. */
  const closeAndWait = async (streams: ClientStream[]) => {
    closeStreams(streams);
    for (let attempt = 0; ; attempt++) {
      const open = await streamsOpen();
      if (open.every((n) => n === 0)) break;
      if (attempt > 100) throw new Error(`streams still open 10 s after closing: ${open.join(", ")}`);
      await sleep(100);
    }
    await sleep(1_000);
  };
  /** Opens the measured streams, idles `settle` s, and reads what they cost. */
  const openMeasured = async (label: string) => {
    const before = await Promise.all(servers.map(memory));
    const streams = streamsOf(measuredIds);
    log(`${label}: opening ${STREAMS} streams (${USERS} users × ${PER_USER}) over ${PROCESSES} process(es)`);
    const started = performance.now();
    const cpu0 = servers.map((s) => cpuMs(s.pid));
    await openAll(streams, tokens, httpAgent);
    const seconds = (performance.now() - started) / 1000;
    const cpu = servers.map((s, i) => cpuMs(s.pid) - (cpu0[i] as number));
    const idleCpu0 = servers.map((s) => cpuMs(s.pid));
    const idleStarted = performance.now();
    await sleep(SETTLE_S * 1000);
    const idleCpu = servers.map((s, i) => cpuMs(s.pid) - (idleCpu0[i] as number));
    const idleSeconds = (performance.now() - idleStarted) / 1000;
    const after = await Promise.all(servers.map(memory));
    const perProcess = servers.map((_, i) => {
      const n = perProcessStreams[i] as number;
      return {
        process: i,
        streams: n,
        streamsOpenGauge: (after[i] as MemorySample).streamsOpen,
        before: before[i] as MemorySample,
        after: after[i] as MemorySample,
        perIdleStreamBytes: perStreamDelta(before[i] as MemorySample, after[i] as MemorySample, n),
      };
    });
    const weighted = (key: keyof PerStreamDelta) =>
      Math.round(perProcess.reduce((sum, m) => sum + m.perIdleStreamBytes[key] * m.streams, 0) / STREAMS);
    const perIdleStreamBytes: PerStreamDelta = {
      rssBytes: weighted("rssBytes"),
      heapUsedBytes: weighted("heapUsedBytes"),
      heapTotalBytes: weighted("heapTotalBytes"),
      externalBytes: weighted("externalBytes"),
    };
    log(
      `${label}: all got their first event: unread in ${round(seconds, 2)} s; per idle stream ` +
        `${round(perIdleStreamBytes.rssBytes / 1024)} KiB RSS, ${round(perIdleStreamBytes.heapUsedBytes / 1024)} KiB heap used`,
    );
    return {
      streams,
      connect: {
        seconds: round(seconds, 2),
        perSecond: Math.round(STREAMS / seconds),
        serverCpuMs: cpu,
        serverCpuMsPerStream: round(cpu.reduce((x, y) => x + y, 0) / STREAMS, 3),
      },
      idle: { seconds: round(idleSeconds, 1), serverCpuMs: idleCpu },
      memory: {
        perIdleStreamBytes,
        perIdleStreamKiB: {
          rss: round(perIdleStreamBytes.rssBytes / 1024),
          heapUsed: round(perIdleStreamBytes.heapUsedBytes / 1024),
        },
        perProcess,
      },
    };
  };

  // The first streams load code and fill caches that every later one shares.
  const firstStreams = streamsOf(warmUpIds);
  await openAll(firstStreams, tokens, httpAgent);
  await closeAndWait(firstStreams);
  const cold = await openMeasured("cold");
  await closeAndWait(cold.streams);
  const warm = await openMeasured("warm");
  clients.push(...warm.streams);

  // Publish through the in-app worker's strategy (its own PostgreSQL pool, as the worker has).
  const publisherDb = createDbClient(DATABASE_URL, { max: 10, applicationName: "bench-stream-publisher" });
  const publisherRedis = createRedis(REDIS_URL, { logger, name: "bench-stream-publisher" });
  // The inbox append is the worker's one transaction (sql.begin): timed, to split a send's
  // time between PostgreSQL and the MULTI. Nothing else about the client changes.
  const appendMs: number[] = [];
  let timing = false;
  const timedSql = new Proxy(publisherDb.sql, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== "begin" || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const started = performance.now();
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args).finally(() => {
          if (timing) appendMs.push(performance.now() - started);
        });
      };
    },
  });
  const strategy = inAppStrategy(
    { redis: publisherRedis, sql: timedSql, ping: () => publisherDb.ping() },
    { channelPrefix: PREFIX },
  );
  const prepare = async (userId: string, eventType: string) => {
    const command = sampleCommand("IN_APP", {
      tenantId: TENANT,
      eventType,
      recipient: { userId, locale: "ko", timeZone: "Asia/Seoul" },
    });
    return { command, rendered: await strategy.render(command) };
  };
  // The publisher's pool connects lazily: warm it (to users without streams) so its first
  // connects are not in the measured latencies.
  await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const { command, rendered } = await prepare(`warm-${i}`, "com.fluxpay.payment.approved");
      await strategy.send(rendered, command);
    }),
  );
  const total = RATE * SECONDS;
  const items: Array<{ command: ChannelCommand; rendered: InAppRendered }> = [];
  for (let i = 0; i < total; i++) {
    const userId = userIds[Math.floor(Math.random() * USERS)] as string;
    items.push(await prepare(userId, i % 2 ? "com.fluxpay.payment.approved" : "com.fluxpay.payment.failed"));
  }
  const expectedDeliveries = total * PER_USER;
  const sendErrors: string[] = [];
  const publishLatency: number[] = [];
  const inFlight = new Set<Promise<void>>();
  // Sampled every 1 ms; the figures include that interval.
  const lag = monitorEventLoopDelay({ resolution: 1 });
  log(
    `publishing ${RATE}/s for ${SECONDS} s (${total} notifications, ${expectedDeliveries} deliveries expected)`,
  );
  const publishCpu0 = servers.map((s) => cpuMs(s.pid));
  const metrics0 = await Promise.all(servers.map((s) => scrape(s.port)));
  lag.enable();
  timing = true;
  // The PostgreSQL backends the appends run on (the publisher's pool, connected by the warm-up).
  const backends = (
    await pg.sql<{ pid: number }[]>`select pid from pg_stat_activity
      where datname = current_database() and application_name = 'bench-stream-publisher'`
  ).map((row) => row.pid);
  const backendCpu = () =>
    backends.reduce((sum, pid) => {
      try {
        return sum + cpuMs(pid);
      } catch {
        return sum; // not readable (PostgreSQL elsewhere) or gone
      }
    }, 0);
  const backendCpu0 = backendCpu();
  const machine0 = machineTicks();
  const benchCpu0 = process.cpuUsage();
  const publishStarted = performance.now();
  const interval = 1000 / RATE;
  let lastStartedAt = publishStarted;
  for (let i = 0; i < total; i++) {
    const due = publishStarted + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const { command, rendered } = items[i] as (typeof items)[number];
    const publication: Publication = {
      userId: rendered.userId,
      startedAt: performance.now(),
      received: [],
      wrongUser: 0,
      wrongSeq: 0,
    };
    lastStartedAt = publication.startedAt;
    published.set(rendered.message.notificationId, publication);
    const sending = strategy.send(rendered, command).then(
      (result) => {
        publication.publishedAt = performance.now();
        publishLatency.push(publication.publishedAt - publication.startedAt);
        publication.seq = Number(/^inbox-seq-(\d+)$/.exec(result.providerMessageId ?? "")?.[1]);
      },
      (error: unknown) => {
        sendErrors.push((error as Error).message);
      },
    );
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
  }
  const offeredSeconds = (lastStartedAt - publishStarted) / 1000 + interval / 1000;
  await Promise.all(inFlight);
  const publishedSeconds = (performance.now() - publishStarted) / 1000;
  const drainDeadline = performance.now() + DRAIN_S * 1000;
  while (
    receivedTotal < expectedDeliveries - sendErrors.length * PER_USER &&
    performance.now() < drainDeadline
  ) {
    await sleep(10);
  }
  const phaseSeconds = (performance.now() - publishStarted) / 1000;
  lag.disable();
  const publishCpuMs = servers.map((s, i) => cpuMs(s.pid) - (publishCpu0[i] as number));
  const machine1 = machineTicks();
  const benchCpu = process.cpuUsage(benchCpu0);
  const postgresCpuMs = backendCpu() - backendCpu0;
  // Late duplicates would come after: give them a moment.
  await sleep(500);
  const metrics1 = await Promise.all(servers.map((s) => scrape(s.port)));
  const afterPublishRss = servers.map((s) => rssBytes(s.pid));
  await publisherRedis.quit();
  await publisherDb.close();

  // ---- tally
  const latencies: number[] = [];
  /** From the MULTI's reply to the client: Redis → query-api → the socket (can be < 0: the reply may come last). */
  const afterSend: number[] = [];
  let delivered = 0;
  let duplicates = 0;
  let lost = 0;
  let wrongUser = 0;
  let wrongSeq = 0;
  for (const publication of published.values()) {
    const [first] = publication.received;
    if (first !== undefined) latencies.push(...publication.received);
    if (publication.publishedAt !== undefined) {
      const sent = publication.publishedAt - publication.startedAt;
      for (const at of publication.received) afterSend.push(at - sent);
    }
    delivered += Math.min(publication.received.length, PER_USER);
    duplicates += Math.max(0, publication.received.length - PER_USER);
    lost += Math.max(0, PER_USER - publication.received.length);
    wrongUser += publication.wrongUser;
    wrongSeq += publication.wrongSeq;
  }
  const endedStreams = clients.filter((c) => c.ended).length;
  const outOfOrder = clients.reduce((sum, c) => sum + c.outOfOrder, 0);
  const latency = percentiles(latencies);
  const lagMs = {
    p50: round(lag.percentile(50) / 1e6, 2),
    p99: round(lag.percentile(99) / 1e6, 2),
    max: round(lag.max / 1e6, 2),
  };
  const publishCpuTotal = publishCpuMs.reduce((a, b) => a + b, 0);
  const serverMetrics = servers.map((_, i) => {
    const before = metrics0[i] as Map<string, number>;
    const after = metrics1[i] as Map<string, number>;
    const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
    return {
      process: i,
      inboxStreamsOpen: after.get("inbox_streams_open"),
      gapItemsDuringPublish: delta("inbox_stream_gap_items_total"),
      endedDuringPublish: Object.fromEntries(
        Object.keys(metricsOf(after, "inbox_streams_ended_total")).map((key) => [key, delta(key)]),
      ),
      refusedTotal: metricsOf(after, "inbox_streams_refused_total"),
    };
  });

  const result = {
    benchmark: "inbox stream (issue 14)",
    generatedAt: new Date().toISOString(),
    command: `pnpm --filter @fluxnotify/query-api exec tsx scripts/bench-stream.ts --streams ${STREAMS} --rate ${RATE} --seconds ${SECONDS} --processes ${PROCESSES}${PER_USER > 1 ? ` --streams-per-user ${PER_USER}` : ""}${RUNTIME !== "compiled" ? ` --runtime ${RUNTIME}` : ""}`,
    machine: {
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      os: `${type()} ${release()}`,
      node: process.version,
      postgres: (pgRow?.version ?? "unknown").split(" on ")[0],
      redis: redisVersion,
      revision: revision(),
      loadAverageAtStart,
      loadAverageAtEnd: loadavg().map((n) => round(n, 2)),
    },
    server: {
      runtime: command.describe,
      processes: PROCESSES,
      nodeFlags: [
        "--expose-gc (plus a SIGUSR2 GC hook)",
        ...(process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean),
      ],
      settings: "DEFAULT_INBOX_SETTINGS (heartbeat 20 s, 256 KiB unread bytes per client, replay 500)",
    },
    streams: STREAMS,
    users: USERS,
    streamsPerUser: PER_USER,
    memoryMethod:
      "after a full GC (the server's SIGUSR2 hook): VmRSS and process.memoryUsage() with the streams open and idle " +
      "for --settle s, minus the same just before they opened, divided by the streams; cold = the process as started " +
      `(${FIRST_STREAMS} streams opened and closed first, so code is loaded), warm = after the cold streams closed`,
    memoryTargetKiB: 30,
    cold: { connect: cold.connect, idle: cold.idle, memory: cold.memory },
    warm: { connect: warm.connect, idle: warm.idle, memory: warm.memory },
    rssAfterPublishBytes: afterPublishRss,
    publish: {
      path: "inAppStrategy(...).send(render(sampleCommand('IN_APP'))): appendInboxItem, then MULTI PUBLISH §5 + inbox",
      offeredRate: RATE,
      seconds: SECONDS,
      notifications: total,
      achievedRate: round(total / offeredSeconds),
      allSentSeconds: round(publishedSeconds, 2),
      sendErrors: sendErrors.length,
      sendErrorSamples: [...new Set(sendErrors)].slice(0, 5),
      sendMs: percentiles(publishLatency),
      appendMs: percentiles(appendMs),
    },
    delivery: {
      expected: expectedDeliveries,
      delivered,
      duplicates,
      lost,
      wrongUser,
      wrongSeq,
      outOfOrder,
      unknown: unknownNotifications,
      streamsEnded: endedStreams,
    },
    latencyMs: latency,
    latencyAfterSendMs: percentiles(afterSend),
    latencyTargetP99Ms: 200,
    benchEventLoopDelayMs: lagMs,
    cpu: {
      phaseSeconds: round(phaseSeconds, 2),
      serverCpuMs: publishCpuMs,
      serverCpuMsTotal: round(publishCpuTotal),
      serverCoreShare: round(publishCpuTotal / (phaseSeconds * 1000), 3),
      serverCpuMsPerNotification: round(publishCpuTotal / total, 3),
      /** The bench process: the publisher (the in-app worker's work) and the clients. */
      benchCpuMs: round((benchCpu.user + benchCpu.system) / 1000),
      /** The PostgreSQL backends of the publisher's pool (the appends). */
      postgresCpuMs: round(postgresCpuMs),
      postgresBackends: backends.length,
      /** Of every core, busy (anything on the machine), during the phase (/proc/stat). */
      machineBusyShare: round(
        (machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total),
        3,
      ),
    },
    serverMetrics,
    targetsMet: {
      p99: latency.p99 <= 200,
      memoryRssCold: cold.memory.perIdleStreamBytes.rssBytes <= 30 * 1024,
      memoryRssWarm: warm.memory.perIdleStreamBytes.rssBytes <= 30 * 1024,
      memoryHeap:
        Math.max(
          cold.memory.perIdleStreamBytes.heapUsedBytes,
          warm.memory.perIdleStreamBytes.heapUsedBytes,
        ) <=
        30 * 1024,
      complete: lost === 0 && duplicates === 0 && wrongUser === 0 && wrongSeq === 0,
    },
  };
  return result;
}

let exitCode = 0;
try {
  const result = await run();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  const kib = (bytes: number) => round(bytes / 1024);
  const memoryLine = (label: string, phase: (typeof result)["cold"]) => {
    const m = phase.memory.perIdleStreamBytes;
    return (
      `  ${label}: connect ${phase.connect.seconds} s for all (${phase.connect.perSecond}/s, server CPU ${phase.connect.serverCpuMsPerStream} ms/stream); ` +
      `per idle stream ${kib(m.rssBytes)} KiB RSS, ${kib(m.heapUsedBytes)} KiB heap used; ` +
      `idle CPU ${phase.idle.serverCpuMs.join(" + ")} ms in ${phase.idle.seconds} s`
    );
  };
  const l = result.latencyMs;
  const a = result.latencyAfterSendMs;
  const d = result.delivery;
  const summary = [
    "",
    `inbox stream: ${result.streams} streams (${result.users} users) on ${result.server.processes} query-api process(es), ${RUNTIME}`,
    memoryLine("cold", result.cold),
    memoryLine("warm", result.warm),
    `  publish:   ${result.publish.achievedRate}/s achieved of ${RATE}/s offered, ${result.publish.notifications} notifications, ${result.publish.sendErrors} send errors; send (append + MULTI) p50 ${result.publish.sendMs.p50} / p99 ${result.publish.sendMs.p99} ms, of which the append p50 ${result.publish.appendMs.p50} / p99 ${result.publish.appendMs.p99} ms`,
    `  delivered: ${d.delivered}/${d.expected}, ${d.duplicates} duplicates, ${d.lost} lost, ${d.wrongUser} to the wrong user, ${d.wrongSeq} wrong ids, ${d.outOfOrder} out of order, ${d.streamsEnded} streams ended`,
    `  latency:   p50 ${l.p50} / p95 ${l.p95} / p99 ${l.p99} / max ${l.max} ms publish start → client (target p99 ≤ 200 ms)`,
    `             p50 ${a.p50} / p95 ${a.p95} / p99 ${a.p99} / max ${a.max} ms from the MULTI's reply (Redis → query-api → client)`,
    `  machine:   ${Math.round(result.cpu.machineBusyShare * 100)}% busy during publishing (${result.machine.cores} cores), load average ${result.machine.loadAverageAtStart.join(" ")} at start; ` +
      `CPU of the bench (publisher + clients) ${result.cpu.benchCpuMs} ms, of PostgreSQL's ${result.cpu.postgresBackends} publisher backends ${result.cpu.postgresCpuMs} ms`,
    `  server:    CPU ${result.cpu.serverCpuMsTotal} ms over ${result.cpu.phaseSeconds} s (${Math.round(result.cpu.serverCoreShare * 100)}% of a core, ${result.cpu.serverCpuMsPerNotification} ms/notification); inbox_streams_open ${result.serverMetrics.map((s) => s.inboxStreamsOpen).join(" + ")}`,
    `  bench:     event loop delay p99 ${result.benchEventLoopDelayMs.p99} ms, max ${result.benchEventLoopDelayMs.max} ms`,
  ].join("\n");
  process.stderr.write(`${summary}\n`);
  if (!values["no-save"]) {
    const out =
      values.out ??
      join(
        repoRoot,
        "bench",
        "results",
        "issue-14",
        `stream-${STREAMS}x${RATE}-${SECONDS}s-p${PROCESSES}${PER_USER > 1 ? `-u${PER_USER}` : ""}${RUNTIME === "tsx" ? "-tsx" : ""}.json`,
      );
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    log(`saved ${relative(process.cwd(), out)}`);
  }
  // Targets missed are reported; a notification lost, duplicated or misrouted fails the run.
  if (!result.targetsMet.complete) exitCode = 1;
} catch (error) {
  log(`failed: ${(error as Error).message}`);
  exitCode = 2;
} finally {
  await cleanup();
}
process.exit(exitCode);

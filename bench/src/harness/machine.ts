import { execFileSync } from "node:child_process";
import { cpus, release, totalmem, type } from "node:os";
import type { Sql } from "@fluxnotify/db";

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  kafka: string;
  /** The commit measured ("+changes" when the working tree differed from it). */
  revision: string;
}

function revision(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const changed = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      encoding: "utf8",
    }).trim();
    return changed ? `${head}+changes` : head;
  } catch {
    return "unknown";
  }
}

/** What the numbers were measured on: they mean little without it. */
export async function machineInfo(sql: Sql): Promise<MachineInfo> {
  const [row] = await sql<{ version: string }[]>`select version()`.catch(() => [{ version: "unknown" }]);
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    postgres: (row?.version ?? "unknown").split(" on ")[0] ?? "unknown",
    kafka: "Apache Kafka 3.9.1, single node (KRaft), infra/kafka/kafka.sh",
    revision: revision(),
  };
}

export const describeMachine = (m: MachineInfo) =>
  `${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB RAM, ${m.os}; Node ${m.node}; ${m.postgres}; Redis 127.0.0.1:6379; ${m.kafka}. ` +
  "Everything (broker, PostgreSQL, Redis, the six apps, the stand-ins and the load generator) shares the same cores.";

import { connect, createServer } from "node:net";
import type { ProcessSpec } from "./apps";

/** True when something already accepts connections on the URL's port. */
function portTaken(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise<boolean>((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const done = (taken: boolean) => {
      socket.destroy();
      resolve(taken);
    };
    socket.setTimeout(1_000);
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  });
}

/**
 * Refuses to start when a port is taken: a leftover process answering /readyz would
 * otherwise pass for the new one while the new one dies of EADDRINUSE.
 */
export async function assertPortsFree(specs: ProcessSpec[]): Promise<void> {
  const taken: string[] = [];
  for (const spec of specs)
    if (spec.readyUrl && (await portTaken(spec.readyUrl))) taken.push(`${spec.name} (${spec.readyUrl})`);
  if (taken.length > 0)
    throw new Error(`ports already in use, by a leftover process or another instance: ${taken.join(", ")}`);
}

export async function answersReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false; // not listening yet
  }
}

/**
 * A port nothing listens on right now (the kernel's pick), for harnesses that must not collide
 * with anyone's reserved ports. Another process could take it before the caller binds it; the
 * supervisor's port check would then say so.
 */
export function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

import { connect } from "node:net";

/**
 * Resolves once `host:port` accepts a TCP connection (then closes it; no request is sent):
 * enough to know a downed provider is back, for a strategy's `probe()`.
 */
export function tcpProbe(target: { host: string; port: number }, timeoutMs = 2_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port, timeout: timeoutMs });
    socket.once("connect", () => {
      socket.destroy();
      resolve();
    });
    socket.once("timeout", () => {
      socket.destroy();
      reject(new Error("probe timed out"));
    });
    socket.once("error", reject);
  });
}

import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  at: number;
  mail: ParsedMail;
}

/**
 * A real SMTP server on loopback. `rcptReplies` scripts answers per recipient address: each
 * entry is used once (then the address is accepted), e.g. [451, 451] = two temporary refusals.
 * `connections` counts the TCP connections it accepted (pool reuse); `crash()` stops it the
 * hard way, every open connection cut mid-whatever, as a server restart or a kill does.
 */
export async function startSmtpServer(
  options: { port?: number; rcptReplies?: Record<string, number[]> } = {},
) {
  const received: ReceivedMail[] = [];
  const rcptAttempts: Array<{ address: string; at: number }> = [];
  const stats = { connections: 0 };
  const scripts = new Map(Object.entries(options.rcptReplies ?? {}).map(([k, v]) => [k, [...v]]));
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    // Pooled client connections would otherwise hold close() open for 30 s.
    closeTimeout: 500,
    onConnect(_session, callback) {
      stats.connections++;
      callback();
    },
    onRcptTo(address, _session, callback) {
      rcptAttempts.push({ address: address.address, at: Date.now() });
      const code = scripts.get(address.address)?.shift();
      if (code === undefined) return callback();
      const error = Object.assign(
        new Error(code >= 500 ? "5.1.1 no such mailbox" : "4.2.1 try again later"),
        {
          responseCode: code,
        },
      );
      return callback(error);
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({ at: Date.now(), mail });
          callback();
        })
        .catch(callback);
    },
  });
  // A client cut off mid-session (crash(), a killed worker) is reported as an 'error' here.
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  // Not in smtp-server's typings: the live connections, each on its socket.
  const live = (server as unknown as { connections: Set<{ _socket: { destroy(): void } }> }).connections;
  return {
    port,
    received,
    rcptAttempts,
    get connections() {
      return stats.connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    crash() {
      const closed = new Promise<void>((resolve) => server.server.close(() => resolve()));
      for (const connection of live) connection._socket.destroy();
      return closed;
    },
  };
}

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
 */
export async function startSmtpServer(
  options: { port?: number; rcptReplies?: Record<string, number[]> } = {},
) {
  const received: ReceivedMail[] = [];
  const rcptAttempts: Array<{ address: string; at: number }> = [];
  const scripts = new Map(Object.entries(options.rcptReplies ?? {}).map(([k, v]) => [k, [...v]]));
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
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
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    rcptAttempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

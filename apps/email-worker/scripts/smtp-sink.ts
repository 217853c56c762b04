/**
 * The bench's SMTP stand-in, run as a child process so that what it costs (reading and
 * acknowledging every message) stays out of the CPU time the bench measures. It accepts
 * everything, reads each message without parsing it, and answers `count` over IPC.
 */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

let received = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  closeTimeout: 200,
  onData(stream, _session, callback) {
    stream.resume();
    stream.on("end", () => {
      received++;
      callback();
    });
  },
});
server.on("error", () => {});
server.listen(0, "127.0.0.1", () => {
  process.send?.({ port: (server.server.address() as AddressInfo).port });
});
process.on("message", (message) => {
  if (message === "count") process.send?.({ received });
  if (message === "stop") server.close(() => process.exit(0));
});

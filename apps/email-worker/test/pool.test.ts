import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createServer, type Socket } from "node:net";
import { eventually, expect, kafkaTest as test } from "@fluxnotify/shared/testing";
import { createEmailRenderer } from "../src/email-renderer";
import { emailStrategy, messageIdFor } from "../src/strategy";
import { FROM, mailTo, startEmailHarness, testTransport } from "./email-harness";
import { startSmtpServer } from "./smtp-server";

test("many concurrent sends share the pool's connections; a 550 is permanent and keeps its connection", async () => {
  const smtp = await startSmtpServer({ rcptReplies: { "nobody@example.com": [550] } });
  const transport = testTransport(smtp.port, { poolSize: 3 });
  const strategy = emailStrategy(transport, { from: FROM, renderer: createEmailRenderer() });
  const sendOne = async (destination: string) => {
    const command = mailTo(destination);
    return { command, result: await strategy.send(await strategy.render(command), command) };
  };
  try {
    const sent = await Promise.all(Array.from({ length: 200 }, (_, i) => sendOne(`user${i}@example.com`)));
    expect(smtp.received).toHaveLength(200);
    expect(smtp.connections).toBe(3);
    expect(new Set(smtp.received.map((r) => r.mail.messageId))).toEqual(
      new Set(sent.map(({ command }) => messageIdFor(command.notificationId))),
    );
    expect(
      sent.every(({ command, result }) => result.providerMessageId === messageIdFor(command.notificationId)),
    ).toBe(true);

    const refused = await sendOne("nobody@example.com").catch((error: unknown) => error);
    expect(strategy.classify(refused)).toEqual({ kind: "permanent", code: "SMTP_550" });
    await Promise.all(Array.from({ length: 20 }, (_, i) => sendOne(`after${i}@example.com`)));
    expect(smtp.received).toHaveLength(220);
    expect(smtp.connections).toBe(3); // the refusal was RSET on its connection, not a new one
  } finally {
    transport.close();
    await smtp.close();
  }
});

test("a connection is replaced after maxMessagesPerConnection messages", async () => {
  const smtp = await startSmtpServer();
  const transport = testTransport(smtp.port, { poolSize: 1, maxMessagesPerConnection: 10 });
  const strategy = emailStrategy(transport, { from: FROM, renderer: createEmailRenderer() });
  try {
    for (let i = 0; i < 30; i++) {
      const command = mailTo(`user${i}@example.com`);
      await strategy.send(await strategy.render(command), command);
    }
    expect(smtp.received).toHaveLength(30);
    expect(smtp.connections).toBe(3);
  } finally {
    transport.close();
    await smtp.close();
  }
});

/**
 * A bare TCP server speaking just enough SMTP to see how the client writes: it offers
 * PIPELINING and records what has arrived by the time it answers MAIL FROM.
 */
async function recordingServer() {
  const seenBeforeMailReply: string[] = [];
  const server = createServer((socket: Socket) => {
    let buffer = "";
    let inData = false;
    socket.write("220 test ESMTP\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      for (let end = buffer.indexOf("\r\n"); end !== -1; end = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, end);
        const rest = buffer.slice(end + 2);
        if (inData) {
          buffer = rest;
          if (line === ".") {
            inData = false;
            socket.write("250 2.0.0 queued\r\n");
          }
          continue;
        }
        if (/^EHLO/i.test(line)) socket.write("250-test\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
        else if (/^MAIL FROM/i.test(line)) {
          seenBeforeMailReply.push(buffer);
          socket.write("250 2.1.0 ok\r\n");
        } else if (/^RCPT TO/i.test(line)) socket.write("250 2.1.5 ok\r\n");
        else if (/^DATA/i.test(line)) {
          inData = true;
          socket.write("354 go ahead\r\n");
        } else if (/^QUIT/i.test(line)) socket.end("221 bye\r\n");
        else socket.write("250 ok\r\n");
        buffer = rest;
      }
    });
    socket.on("error", () => {});
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    seenBeforeMailReply,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test("the envelope is pipelined: MAIL FROM, RCPT TO and DATA arrive together, before any reply", async () => {
  const server = await recordingServer();
  const transport = testTransport(server.port, { poolSize: 1 });
  const strategy = emailStrategy(transport, { from: FROM, renderer: createEmailRenderer() });
  try {
    for (const destination of ["a@example.com", "b@example.com"]) {
      const command = mailTo(destination);
      await strategy.send(await strategy.render(command), command);
    }
    expect(server.seenBeforeMailReply).toHaveLength(2);
    for (const batch of server.seenBeforeMailReply) {
      expect(batch).toMatch(
        /^MAIL FROM:<no-reply@fluxnotify\.test>[^\r]*\r\nRCPT TO:<[ab]@example\.com>[^\r]*\r\nDATA\r\n$/,
      );
    }
  } finally {
    transport.close();
    await server.close();
  }
});

test("an SMTP server crash mid-stream: every message is delivered and reported SENT once, none dead-lettered", async ({
  kafka,
  logger,
  registry,
}) => {
  let smtp = await startSmtpServer();
  const port = smtp.port;
  const first = smtp;
  const ctx = await startEmailHarness({ kafka, logger, registry }, port, { poolSize: 3 });
  try {
    const commands = Array.from({ length: 300 }, (_, i) =>
      mailTo(`user${i}@example.com`, { tenantId: `t${i % 7}` }),
    );
    await ctx.harness.produce(commands);
    await eventually(() => first.received.length >= 60, 20_000);
    await first.crash(); // connections cut mid-session, nothing listening
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    smtp = await startSmtpServer({ port });
    await eventually(() => ctx.harness.outcomes().length >= 300, 60_000);

    const events = ctx.harness.outcomes();
    expect(events).toHaveLength(300);
    // Sends the crash delayed were reported PENDING while they waited (at each retry, and
    // once per wait for the server), in order: a notification's attempts never go back.
    const delayed = ctx.harness.delays();
    for (const id of new Set(delayed.map((e) => e.notificationId))) {
      const attempts = delayed.filter((e) => e.notificationId === id).map((e) => e.attempts ?? 0);
      expect(attempts).toEqual([...attempts].sort((x, y) => x - y));
    }
    expect(new Set(events.map((e) => e.notificationId)).size).toBe(300);
    expect(events.every((e) => e.status === "SENT")).toBe(true);
    expect(ctx.harness.dlq.messages).toHaveLength(0);
    expect(first.received.length).toBeLessThan(300); // the crash was mid-stream
    expect(smtp.received.length).toBeGreaterThan(0);
    const delivered = [...first.received, ...smtp.received].map((r) => r.mail.messageId);
    expect(new Set(delivered)).toEqual(new Set(commands.map((c) => messageIdFor(c.notificationId))));
    // At least once: a message whose 250 was lost with its connection may arrive twice, at
    // most one per connection in flight.
    expect(delivered.length - 300).toBeLessThanOrEqual(3);
  } finally {
    await ctx.close();
    await smtp.close();
  }
});

import { once } from "node:events";
import { connect } from "node:net";
import { createTransport } from "nodemailer";
import { afterEach, describe, expect, it } from "vitest";
import { type SmtpSink, startSmtpSink, startWebhookSink, type WebhookSink } from "../src/sinks/index";

const open: Array<SmtpSink | WebhookSink> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sink) => sink.stop()));
});

const send = (port: number, to: string, messageId = "<m1@test>") =>
  createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true }).sendMail({
    from: "a@example.com",
    to,
    subject: "Hello <b>",
    html: "<p>hi</p>",
    text: "hi",
    messageId,
  });

describe("SMTP sink", () => {
  it("records parsed mail and refuses chosen recipients with a permanent 550", async () => {
    const sink = await startSmtpSink({ reject: (rcpt) => rcpt.startsWith("bad@") });
    open.push(sink);
    await send(sink.port, "good@example.com");
    await expect(send(sink.port, "bad@example.com")).rejects.toMatchObject({ responseCode: 550 });
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0]).toMatchObject({
      messageId: "<m1@test>",
      to: ["good@example.com"],
      subject: "Hello <b>",
    });
    expect(sink.rcptAttempts.map((a) => a.accepted)).toEqual([true, false]);
  });

  it("refuses connections while closed and accepts again on the same port after reopen", async () => {
    const sink = await startSmtpSink({ parse: false });
    open.push(sink);
    const port = sink.port;
    await sink.close();
    await expect(send(port, "x@example.com")).rejects.toMatchObject({ code: "ESOCKET" });
    await sink.reopen();
    expect(sink.port).toBe(port);
    await send(port, "x@example.com", "<m2@test>");
    expect(sink.received).toEqual([
      expect.objectContaining({ messageId: "<m2@test>", to: ["x@example.com"] }),
    ]);
  });

  it("survives a client that dies mid-session (connection reset)", async () => {
    const sink = await startSmtpSink({ parse: false });
    open.push(sink);
    const socket = connect({ host: "127.0.0.1", port: sink.port });
    await once(socket, "data"); // the 220 greeting
    socket.write("EHLO killed.example\r\nMAIL FROM:<a@example.com>\r\n");
    await once(socket, "data");
    socket.resetAndDestroy(); // RST, as when the kernel closes a SIGKILLed worker's socket
    await new Promise((resolve) => setTimeout(resolve, 100));
    await send(sink.port, "after@example.com", "<m3@test>");
    expect(sink.received.map((m) => m.messageId)).toEqual(["<m3@test>"]);
  });
});

describe("webhook sink", () => {
  it("records JSON posts and answers as scripted", async () => {
    const sink = await startWebhookSink();
    open.push(sink);
    const post = () =>
      fetch(sink.url("/services/t1"), { method: "POST", body: JSON.stringify({ text: "hi" }) });
    expect((await post()).status).toBe(200);
    sink.respondWith(() => ({ status: 429, headers: { "retry-after": "1" } }));
    expect((await post()).status).toBe(429);
    expect(sink.received).toEqual([expect.objectContaining({ path: "/services/t1", body: { text: "hi" } })]);
    expect(sink.attempts).toHaveLength(2);
  });
});

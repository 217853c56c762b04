import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { maskEmails } from "../src/logger";
import { captureLogs, leaks, SENSITIVE } from "../src/testing/logs";

const { email, webhookUrl } = SENSITIVE;
// A bound value no pattern recognises: only dropping query parameters keeps it out.
const PLAIN_PARAM = "plain-param-7f3a9c";
const SMTP_PASSWORD = "s3cr3t-smtp-pw";
const PUSH_ENDPOINT = "https://fcm.googleapis.com/fcm/send/dRpush-endpoint-capability-91xz";
const P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM";
const PUSH_AUTH = "tBHItJI5svbpez7KI4CCXg";
const FCM_TOKEN = "fcm-registration-token-0a1b2c3d";

const jwt = () =>
  new SignJWT({ sub: email, tenant: "t1", roles: ["admin"] })
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode("log-masking-test-secret-32-bytes-long"));

// The shapes below are the libraries' own, copied from drizzle-orm 0.45 (errors.js) and
// postgres.js 3.4 (errors.js, connection.js), so a test needs no database to build them.
class DrizzleQueryError extends Error {
  constructor(
    readonly query: string,
    readonly params: unknown[],
    cause?: Error,
  ) {
    super(`Failed query: ${query}\nparams: ${params}`);
    this.cause = cause;
  }
}
class PostgresError extends Error {
  constructor(
    fields: Record<string, unknown>,
    query: { string: string; parameters: unknown[] },
    debug = false,
  ) {
    super(String(fields.message));
    this.name = this.constructor.name;
    Object.assign(this, fields);
    Object.defineProperties(this, {
      query: { value: query.string, enumerable: debug },
      parameters: { value: query.parameters, enumerable: debug },
      args: { value: query.parameters, enumerable: debug },
      types: { value: [25, 25], enumerable: debug },
    });
  }
}

const INSERT =
  'insert into "user_notification_settings" ("tenant_id", "user_id", "email") values ($1, $2, $3)';
const VALUES = ["t1", PLAIN_PARAM, email, webhookUrl];
const checkViolation = (debug = false) =>
  new PostgresError(
    {
      severity: "ERROR",
      code: "23514",
      message: 'new row for relation "user_notification_settings" violates check constraint "refuse"',
      detail: `Failing row contains (t1, ${PLAIN_PARAM}, ${email}, ${webhookUrl}, ko).`,
      schema_name: "public",
      table_name: "user_notification_settings",
      constraint_name: "refuse",
    },
    { string: INSERT, parameters: VALUES },
    debug,
  );
const uniqueViolation = () =>
  new PostgresError(
    {
      code: "23505",
      message: "duplicate key value violates unique constraint",
      detail: `Key (tenant_id, email)=(t1, ${email}) already exists.`,
    },
    { string: INSERT, parameters: VALUES },
  );

const invalidInput = () =>
  new PostgresError(
    {
      severity: "ERROR",
      code: "22P02",
      message: `invalid input syntax for type bigint: "${PLAIN_PARAM}"`,
    },
    { string: "select 1 where id = $1", parameters: [PLAIN_PARAM] },
  );

function logged(write: (logger: ReturnType<typeof captureLogs>["logger"]) => void) {
  const capture = captureLogs("masking");
  write(capture.logger);
  const entries = capture.entries(); // every line is still one JSON object
  return { text: capture.lines.join(""), entries };
}

describe("log masking", () => {
  it("never writes bound query values, however the error travels", async () => {
    const token = await jwt();
    const drizzle = () => new DrizzleQueryError(INSERT, VALUES, checkViolation());
    const { text, entries } = logged((logger) => {
      logger.error({ err: drizzle(), requestId: "r1" }, "unhandled request error");
      logger.error(drizzle()); // pino takes the message from the error itself
      logger.error({ err: drizzle() });
      logger.warn({ failure: { error: drizzle() }, attempts: [drizzle()] }, "nested, not under err");
      logger.error({ err: new Error("wrapped", { cause: drizzle() }) }, "cause chain (non-enumerable)");
      logger.error({ err: new AggregateError([drizzle(), uniqueViolation()], "all failed") }, "aggregate");
      logger.error({ err: checkViolation(true) }, "postgres.js debug mode makes parameters enumerable");
      logger.error({ err: uniqueViolation() }, "unique violation");
      logger.error({ err: invalidInput() }, "data exception quoting its input");
      logger.error(
        { err: new Error(`query failed\nparams: ${PLAIN_PARAM},${token}`) },
        "a message quoting params",
      );
      logger.info(`copied message: ${drizzle().message}`);
    });
    expect(leaks(text, [token])).toEqual([]);
    expect(text).not.toContain(PLAIN_PARAM);

    // What an operator needs is still there: type, SQL, SQLSTATE, relation, constraint.
    const first = entries[0] as { err: Record<string, unknown> & { cause: Record<string, unknown> } };
    expect(first.err).toMatchObject({
      type: "DrizzleQueryError",
      message: `Failed query: ${INSERT}`,
      query: INSERT,
      cause: {
        type: "PostgresError",
        code: "23514",
        table_name: "user_notification_settings",
        constraint_name: "refuse",
        detail: "Failing row contains (…).",
      },
    });
    expect(first.err).not.toHaveProperty("params");
    expect(String(first.err.stack)).toMatch(/^Error: Failed query: insert into/);
    expect(entries[1]).toMatchObject({ msg: `Failed query: ${INSERT}`, err: { type: "DrizzleQueryError" } });
    expect(entries[3]).toMatchObject({ failure: { error: { cause: { code: "23514" } } } });
    expect(entries[4]).toMatchObject({ err: { message: "wrapped", cause: { cause: { code: "23514" } } } });
    expect(entries[5]).toMatchObject({
      err: { type: "AggregateError", errors: [{ cause: { code: "23514" } }, { code: "23505" }] },
    });
    expect(entries[7]).toMatchObject({
      err: { detail: "Key (tenant_id, email)=(…) already exists." },
    });
    expect(entries[8]).toMatchObject({
      err: { code: "22P02", message: 'invalid input syntax for type bigint: "…"' },
    });
  });

  it("redacts secrets by field name at any depth and masks them by pattern anywhere", async () => {
    const token = await jwt();
    const { text, entries } = logged((logger) => {
      const child = logger.child({ webhookUrl, consumer: "c1" });
      child.info(
        {
          to: email,
          config: { smtp: { host: "smtp.example.com", auth: { user: "mailer", pass: SMTP_PASSWORD } } },
          req: { headers: { Authorization: `Bearer ${token}`, "x-request-id": "r2" } },
          subscription: { endpoint: PUSH_ENDPOINT, keys: { p256dh: P256DH, auth: PUSH_AUTH } },
          other: { endpoint: `https://push.example.net/v1/${PUSH_AUTH}` }, // a host no pattern knows
          targets: [{ type: "fcm", token: FCM_TOKEN }],
          payload: Buffer.from(`{"email":"${email}"}`),
        },
        "structured",
      );
      logger.warn(`smtp://mailer:${SMTP_PASSWORD}@smtp.example.com:587 refused`);
      logger.warn(`POST ${webhookUrl} answered 500; POST ${PUSH_ENDPOINT} answered 410`);
      logger.warn(
        `GET https://api.example.com/v1/stream?lastEventId=9&token=${FCM_TOKEN}&access_token=${token}`,
      );
      logger.warn(`redis://:${SMTP_PASSWORD}@127.0.0.1:6379 unreachable`);
      logger.warn(`GET /api/v1/notifications/stream?token=${token}`);
      logger.info("header was Authorization: Bearer %s from %s", token, email);
      logger.info({
        err: new Error(`send to ${email} failed`, { cause: new Error(`JWT ${token} rejected`) }),
      });
    });
    expect(leaks(text, [token, SMTP_PASSWORD, P256DH, PUSH_AUTH, FCM_TOKEN])).toEqual([]);
    expect(text).not.toContain("dRpush-endpoint-capability");
    expect(text).not.toContain("eyJ");

    expect(entries[0]).toMatchObject({
      webhookUrl: "[Redacted]",
      consumer: "c1",
      to: "a***@example.com",
      config: { smtp: { host: "smtp.example.com", auth: "[Redacted]" } },
      req: { headers: { Authorization: "[Redacted]", "x-request-id": "r2" } },
      subscription: {
        endpoint: "https://fcm.googleapis.com/***",
        keys: { p256dh: "[Redacted]", auth: "[Redacted]" },
      },
      other: { endpoint: "https://push.example.net/***" },
      targets: [{ type: "fcm", token: "[Redacted]" }],
      payload: "[Buffer 33 bytes]",
    });
    expect(entries.slice(1).map((entry) => entry.msg)).toEqual([
      "smtp://***@smtp.example.com:587 refused",
      "POST https://hooks.slack.com/*** answered 500; POST https://fcm.googleapis.com/*** answered 410",
      "GET https://api.example.com/v1/stream?lastEventId=9&token=***&access_token=***",
      "redis://***@127.0.0.1:6379 unreachable",
      "GET /api/v1/notifications/stream?token=***",
      "header was Authorization: Bearer *** from a***@example.com",
      "send to a***@example.com failed",
    ]);
  });

  it("masks every address in a text and leaves the rest as it was", () => {
    expect(maskEmails("kim@example.com, lee.min-ho+tag@mail.fluxpay.co.kr; x@y @@ z@ a@b.c q@")).toBe(
      "k***@example.com, l***@mail.fluxpay.co.kr; x@y @@ z@ a@b.c q@",
    );
    expect(maskEmails("no address here")).toBe("no address here");
  });

  it("stops at cycles and depth instead of looping", () => {
    const loop = new Error("loop") as Error & { cause?: unknown };
    loop.cause = loop;
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let n = 0; n < 20; n++) {
      cursor.next = {};
      cursor = cursor.next as Record<string, unknown>;
    }
    const { entries } = logged((logger) => logger.error({ err: loop, deep }, "cyclic"));
    expect(entries[0]).toMatchObject({ err: { message: "loop", cause: "[Circular]" } });
    expect(JSON.stringify(entries[0]?.deep)).toContain("[Truncated]");
  });
});

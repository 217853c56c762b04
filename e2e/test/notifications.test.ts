import { inAppChannel } from "@fluxnotify/shared/contracts";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import "../src/provided";
import { apiFor, type HistoryItem } from "../src/api";
import { fluxpayPublisher } from "../src/fluxpay";
import { eventually, logHint, newBrowser, observed } from "../src/observe";
import { countOf, lines, type PersonaRun, personas, preparePersona } from "../src/personas";
import { QUERY_API, slackPathOf, tenantsOf } from "../src/resources";

const runId = inject("e2eRunId");
const tenants = tenantsOf(runId);
const runs: PersonaRun[] = personas(runId, tenants).map(preparePersona);
const run = (userId: string) => runs.find((r) => r.userId === userId) as PersonaRun;
const publisher = fluxpayPublisher();
const histories = new Map<string, HistoryItem[]>();

const emailOf = (userId: string) => run(userId).settings.email as string;
const eventId = (userId: string, type: Parameters<PersonaRun["events"]["get"]>[0]) =>
  run(userId).events.get(type)?.id as string;

/** Each persona's browsers: the subscription endpoint of each device it registered. */
const browsers = new Map<string, string[]>();

beforeAll(async () => {
  for (const r of runs) {
    await apiFor(r.tenant).putSettings(r.userId, r.settings);
    const endpoints: string[] = [];
    for (let i = 0; i < r.devices; i++) {
      const browser = await newBrowser();
      await apiFor(r.tenant).registerBrowser(r.userId, browser, `browser ${i + 1}`);
      endpoints.push(browser.endpoint);
    }
    browsers.set(r.userId, endpoints);
  }
  await publisher.publish(runs.flatMap((r) => r.records));
  // The same event again, differently encoded: a redelivery must not notify twice.
  const kimPayment = run("kim").events.get("payment.approved");
  if (kimPayment) await publisher.publish([[kimPayment, "binary"]]);
});

afterAll(() => publisher.close());

describe("FluxPay events of every type, in all three encodings, for users with different settings", () => {
  it("history shows each expected notification with its final status (SENT / SKIPPED)", async () => {
    for (const r of runs) {
      const items = await eventually(async () => {
        const history = await apiFor(r.tenant).history(r.userId);
        expect(lines(history), `${r.userId}'s history (${logHint()})`).toEqual(lines(r.expected));
        return history;
      }, 60_000);
      histories.set(r.userId, items);
    }
    const skipped = histories.get("noemail")?.filter((i) => i.channel === "EMAIL");
    expect(skipped?.every((i) => i.status === "SKIPPED" && i.recipient === null)).toBe(true);
    const kimEmail = histories.get("kim")?.find((i) => i.channel === "EMAIL" && i.status === "SENT");
    expect(kimEmail?.recipient).toBe(emailOf("kim"));
    expect(kimEmail?.sentAt).not.toBeNull();
  });

  it("emails: one per sent notification, subject and body in the user's language, amount and time, escaped", async () => {
    const seen = await eventually(async () => {
      const { mail } = await observed();
      for (const r of runs.filter((r) => r.settings.email)) {
        const sent = r.expected.filter((e) => e.channel === "EMAIL" && e.status === "SENT").length;
        expect(
          mail.filter((m) => m.to.includes(r.settings.email as string)),
          r.userId,
        ).toHaveLength(sent);
      }
      return mail;
    });
    const mailFor = (userId: string, type: Parameters<PersonaRun["events"]["get"]>[0]) => {
      const notification = histories
        .get(userId)
        ?.find((i) => i.eventId === eventId(userId, type) && i.channel === "EMAIL");
      const found = seen.filter((m) => notification && m.messageId.includes(notification.notificationId));
      expect(found, `${userId} ${type}: one mail whose Message-ID names the notification`).toHaveLength(1);
      return found[0] as (typeof seen)[number];
    };

    const kimApproved = mailFor("kim", "payment.approved");
    expect(kimApproved.subject).toBe("[FluxPay] 결제가 완료되었습니다");
    expect(kimApproved.to).toEqual([emailOf("kim")]);
    expect(kimApproved.text).toContain("15,000원");
    expect(kimApproved.html).toContain("15,000원");
    expect(kimApproved.text).toContain("오후 7:30"); // 10:30Z in Asia/Seoul

    const ellenApproved = mailFor("ellen", "payment.approved");
    expect(ellenApproved.subject).toBe("[FluxPay] Payment approved");
    expect(ellenApproved.text).toContain("₩15,000");
    expect(ellenApproved.text).toContain("5:30 AM"); // 10:30Z in America/New_York
    expect(mailFor("ellen", "refund.completed").text).toContain("$1,234,567.89");

    const kimFailed = mailFor("kim", "payment.failed");
    expect(kimFailed.subject).toBe("[FluxPay] 결제에 실패했습니다");
    expect(kimFailed.html).toContain("&lt;script&gt;");
    expect(kimFailed.html).not.toContain("<script>");
    expect(kimFailed.text).toContain('<script>alert("x")</script>'); // plain text stays verbatim

    // Master switch off, but switched on for payment.failed alone.
    expect(seen.filter((m) => m.to.includes(emailOf("picky"))).map((m) => m.subject)).toEqual([
      "[FluxPay] 결제에 실패했습니다",
    ]);
  });

  it("Slack: the tenant's operations channel gets payment and refund failures, escaped", async () => {
    const expected = runs.filter((r) => r.tenantHasSlack).flatMap((r) => r.expected);
    const sent = expected.filter((e) => e.channel === "SLACK" && e.status === "SENT").length;
    const posts = await eventually(async () => {
      const { slack } = await observed();
      const ours = slack.filter((p) => p.path === slackPathOf(tenants.withSlack));
      expect(ours).toHaveLength(sent);
      return ours;
    });
    expect(slack(posts, "Payment failed").length + slack(posts, "결제에 실패했습니다").length).toBe(
      expected.filter((e) => e.type === "payment.failed" && e.channel === "SLACK").length,
    );
    const hostile = JSON.stringify(posts.filter((p) => JSON.stringify(p.body).includes("card declined")));
    expect(hostile).toContain("&lt;script&gt;");
    expect(hostile).not.toContain("<script>");
    const { slack: all } = await observed();
    expect(all.filter((p) => p.path === slackPathOf(tenants.withoutSlack))).toEqual([]);
  });

  it("in-app: one Redis message per sent notification on notifications:{tenant}:{user}", async () => {
    await eventually(async () => {
      const { inapp } = await observed();
      for (const r of runs) {
        const channel = inAppChannel("", r.tenant, r.userId);
        const messages = inapp.filter((m) => m.channel === channel).map((m) => JSON.parse(m.message));
        const expected = r.expected.filter((e) => e.channel === "IN_APP" && e.status === "SENT");
        expect(messages.map((m) => m.eventType.replace("com.fluxpay.", "")).sort(), r.userId).toEqual(
          expected.map((e) => e.type).sort(),
        );
        for (const message of messages) {
          expect(Object.keys(message)).toEqual(
            expect.arrayContaining(["notificationId", "eventType", "title", "body", "createdAt", "data"]),
          );
        }
      }
    });
    const { inapp } = await observed();
    const ellen = inapp.filter((m) => m.channel === inAppChannel("", tenants.withSlack, "ellen"));
    const approved = ellen
      .map((m) => JSON.parse(m.message))
      .find((m) => m.eventType.endsWith("payment.approved"));
    expect(approved.title).toBe("Payment approved");
    expect(approved.body).toContain("₩15,000");
  });

  it("a redelivered event (same id, another encoding) notifies once per channel", async () => {
    const { mail, inapp } = await observed();
    const notifications = histories
      .get("kim")
      ?.filter((i) => i.eventId === eventId("kim", "payment.approved"));
    expect(notifications?.map((n) => n.channel).sort()).toEqual(["EMAIL", "IN_APP", "PUSH", "PUSH"]);
    const emailId = notifications?.find((n) => n.channel === "EMAIL")?.notificationId as string;
    expect(mail.filter((m) => m.messageId.includes(emailId))).toHaveLength(1);
    const kimInApp = inapp
      .filter((m) => m.channel === inAppChannel("", tenants.withSlack, "kim"))
      .filter((m) => JSON.parse(m.message).eventType.endsWith("payment.approved"));
    expect(kimInApp).toHaveLength(1);
    const { push } = await observed();
    const kimPush = push.filter(
      (p) => (p.payload as { eventType: string }).eventType === "com.fluxpay.payment.approved",
    );
    for (const endpoint of browsers.get("kim") ?? [])
      expect(kimPush.filter((p) => p.endpoint === endpoint)).toHaveLength(1);
  });

  it("push: each registered browser gets each of its notifications once, encrypted, with TTL and Urgency", async () => {
    await eventually(async () => {
      const { push } = await observed();
      for (const r of runs) {
        const sent = r.expected.filter((e) => e.channel === "PUSH" && e.status === "SENT");
        for (const endpoint of browsers.get(r.userId) ?? []) {
          const got = push.filter((p) => p.endpoint === endpoint);
          const types = got.map((p) =>
            (p.payload as { eventType: string }).eventType.replace("com.fluxpay.", ""),
          );
          // `sent` has one entry per device: each device gets every type once.
          expect(types.sort(), `${r.userId} ${endpoint}`).toEqual(
            [...new Set(sent.map((e) => e.type))].sort(),
          );
        }
      }
    });
    const { push } = await observed();
    const failed = push.find(
      (p) =>
        p.endpoint === browsers.get("ellen")?.[0] &&
        (p.payload as { eventType: string }).eventType === "com.fluxpay.payment.failed",
    );
    expect(failed).toMatchObject({ urgency: "high", ttl: 86_400 });
    expect(failed?.payload).toMatchObject({ title: "Payment failed" });
    expect(Object.keys(failed?.payload as object)).toEqual(
      expect.arrayContaining(["notificationId", "eventType", "title", "body", "createdAt", "data"]),
    );
    const approved = push.find(
      (p) =>
        p.endpoint === browsers.get("ellen")?.[0] &&
        (p.payload as { eventType: string }).eventType === "com.fluxpay.payment.approved",
    );
    expect(approved?.urgency).toBe("normal");
    // History: one PUSH row per device, showing the push service's host and the label only.
    const pushRows = histories.get("kim")?.filter((i) => i.channel === "PUSH" && i.status === "SENT") ?? [];
    expect(new Set(pushRows.map((i) => i.recipient))).toEqual(
      new Set(["webpush 127.0.0.1:19030 (browser 1)", "webpush 127.0.0.1:19030 (browser 2)"]),
    );
  });

  it("a user reads only their own history; the dashboard needs the admin role", async () => {
    const kim = await apiFor(tenants.withSlack).userToken("kim");
    const url = (path: string) => `${QUERY_API}${path}`;
    const status = async (path: string, token?: string) =>
      (await fetch(url(path), token ? { headers: { authorization: `Bearer ${token}` } } : {})).status;
    expect(await status("/api/v1/notifications?userId=ellen", kim)).toBe(403);
    expect(await status("/api/v1/notifications")).toBe(401);
    expect(await status("/api/v1/dashboard/delivery/channels", kim)).toBe(403);
  });

  it("dashboard: per-channel totals of each tenant match what was sent and skipped", async () => {
    for (const tenant of [tenants.withSlack, tenants.withoutSlack]) {
      const ofTenant = runs.filter((r) => r.tenant === tenant);
      const want = (["EMAIL", "IN_APP", "PUSH", "SLACK"] as const)
        .map((channel) => ({
          channel,
          sentCount: countOf(ofTenant, channel, "SENT"),
          failedCount: 0,
          skippedCount: countOf(ofTenant, channel, "SKIPPED"),
        }))
        .filter((c) => c.sentCount + c.skippedCount > 0);
      await eventually(async () => {
        const totals = await apiFor(tenant).channelTotals();
        const got = totals
          .map(({ channel, sentCount, failedCount, skippedCount }) => ({
            channel,
            sentCount,
            failedCount,
            skippedCount,
          }))
          .filter((c) => c.sentCount + c.skippedCount + c.failedCount > 0)
          .sort((a, b) => a.channel.localeCompare(b.channel));
        expect(got, tenant).toEqual(want);
      });
      const daily = await apiFor(tenant).dailyStats();
      expect(daily.status).toBe(200);
      const dailySent = daily.body.days.reduce((sum, d) => sum + d.sentCount, 0);
      expect(dailySent).toBe(want.reduce((sum, c) => sum + c.sentCount, 0));
    }
  });
});

function slack(posts: Array<{ body: unknown }>, title: string) {
  return posts.filter((p) => (p.body as { text?: string }).text?.includes(title));
}

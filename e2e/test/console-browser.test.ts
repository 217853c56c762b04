import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import "../src/provided";
import { apiFor, type ChannelTotals, tokenFor } from "../src/api";
import { cspViolations, screenshotter, watchPage } from "../src/browser";
import { launchChromium } from "../src/chromium";
import { expectedStatuses } from "../src/expect-routing";
import { fluxpayPublisher } from "../src/fluxpay";
import { eventually, logHint, observed } from "../src/observe";
import { ARTIFACTS_DIR, CONSOLE, tenantsOf } from "../src/resources";
import { HOSTILE_ERROR, userEvents } from "../src/scenario";

const runId = inject("e2eRunId");
const { console: tenant, consoleOther } = tenantsOf(runId);
const api = apiFor(tenant);
const publisher = fluxpayPublisher();
const shots = screenshotter(join(ARTIFACTS_DIR, "console"));

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await publisher.close();
});

/** The numbers of one table row, as the page shows them (data-field cells). */
async function rowNumbers(page: Page, row: string, fields: string[]): Promise<number[]> {
  return Promise.all(
    fields.map(async (field) => {
      const text = await page.locator(`${row} [data-field="${field}"]`).textContent();
      return Number((text ?? "").replace(/[^\d.]/g, ""));
    }),
  );
}

/** Signs in through the development sign-in form, in whatever language the page is in. */
async function devSignIn(
  page: Page,
  labels: { tenant: string; user: string; role: string; submit: string },
  who: string,
  role: "admin" | "operator" = "admin",
) {
  await page.getByLabel(labels.tenant).fill(who);
  await page.getByLabel(labels.user).fill("ops");
  await page.getByLabel(labels.role).selectOption(role);
  await page.getByRole("button", { name: labels.submit }).click();
  await page.waitForURL(`${CONSOLE}/overview`);
}

describe("the operations console in Chromium", () => {
  it("an admin finds a FAILED notification, retries its dead letter by clicking, and sees it RESOLVED and SENT; another tenant's admin sees none of it", async () => {
    // A notification that fails for good (the SMTP sink refuses the mailbox), as in dlq.test.ts.
    const bounce = `bounce-cora-${runId}@example.com`;
    const settings = { email: bounce, locale: "en" as const };
    await api.putSettings("cora", settings);
    const { events } = userEvents(tenant, "cora", ["order.created", "payment.failed"]);
    const payment = events.get("payment.failed");
    if (!payment) throw new Error("scenario has no payment.failed");
    await publisher.publish([...events.values()].map((e) => [e, "structured"] as const));
    const [letter] = await eventually(async () => {
      const items = await api.deadLetters(payment.id);
      expect(items, logHint()).toHaveLength(1);
      return items;
    });
    if (!letter?.notificationId) throw new Error("the dead letter names no notification");
    // Every notification of the two events has its final status: the figures hold still.
    const expected = [...events.values()].reduce(
      (sum, e) => sum + Object.keys(expectedStatuses(e.type, settings, { slack: false, devices: 0 })).length,
      0,
    );
    const failed = await eventually(async () => {
      const history = await api.history("cora");
      expect(history.map((item) => item.status).sort(), logHint()).toHaveLength(expected);
      expect(history.filter((item) => item.status === "PENDING")).toEqual([]);
      const email = history.find((item) => item.notificationId === letter.notificationId);
      expect(email?.status).toBe("FAILED");
      return email;
    });
    const notificationId = failed?.notificationId as string;

    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = await watchPage(page, CONSOLE);
    const refused: string[] = [];
    page.on("response", (response) => {
      if (response.status() >= 400) refused.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });

    // Sign in: any page sends a signed-out visitor to the sign-in page first.
    await page.goto(`${CONSOLE}/`);
    await page.waitForURL(/\/sign-in\?next=/);
    await shots.shot(page, "sign-in");
    const english = { tenant: "Tenant", user: "User", role: "Role", submit: "Sign in (development)" };
    await devSignIn(page, english, tenant);
    expect(await page.locator(".who").textContent()).toBe(`ops · ${tenant} · admin`);
    // The token lives in this tab's sessionStorage only.
    expect(await page.evaluate("Object.keys(sessionStorage)")).toEqual(["fluxnotify.console.token"]);
    expect(await page.evaluate("Object.keys(localStorage).filter((key) => key.includes('token'))")).toEqual(
      [],
    );

    // Overview: the figures the APIs answer, as the page shows them.
    await page.locator('[data-table="channels"] tbody tr').first().waitFor();
    const channels: ChannelTotals[] = await api.channelTotals();
    expect(channels.length).toBeGreaterThan(0);
    for (const row of channels) {
      expect(
        await rowNumbers(page, `[data-table="channels"] tr[data-channel="${row.channel}"]`, [
          "sentCount",
          "failedCount",
          "skippedCount",
        ]),
        row.channel,
      ).toEqual([row.sentCount, row.failedCount, row.skippedCount]);
    }
    expect(await page.locator('[data-table="channels"] tbody tr').count()).toBe(channels.length);
    const daily = (await api.dailyStats()).body.days;
    for (const day of daily) {
      expect(
        await rowNumbers(
          page,
          `[data-table="daily"] tr[data-date="${day.date}"][data-channel="${day.channel}"]`,
          ["sentCount", "failedCount"],
        ),
      ).toEqual([day.sentCount, day.failedCount]);
    }
    expect(await page.locator('[data-chart="EMAIL"] svg rect.chart-failed').count()).toBe(7);
    await page.locator('#dlq dd[data-field="pending"]').waitFor();
    expect(await page.locator('#dlq dd[data-field="pending"]').textContent()).toBe("1");
    await page.locator('[data-table="lag"] tbody tr').first().waitFor();
    expect(await page.locator('[data-table="lag"] tr[data-group="notif-email"]').count()).toBe(1);
    await page.locator('[data-table="breakers"] tr[data-channel="EMAIL"]').waitFor();
    await shots.shot(page, "overview");

    // Deliveries: the user's failed ones, filters in the URL, each row opening its timeline.
    await page.getByRole("link", { name: "Deliveries", exact: true }).click();
    await page.getByLabel("User").fill("cora");
    await page.getByLabel("Status").selectOption("FAILED");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(`${CONSOLE}/deliveries?userId=cora&status=FAILED`);
    const row = page.locator(`tr[data-notification="${notificationId}"]`);
    await row.waitFor();
    expect(await page.locator("tr[data-notification]").count()).toBe(1);
    await shots.shot(page, "deliveries");
    await row.getByRole("link").click();
    await page.waitForURL(`${CONSOLE}/deliveries/${encodeURIComponent(notificationId)}`);

    // Timeline: FAILED after its attempts, and its dead letter, pending.
    await page.locator('[data-list="timeline"] li[data-status="FAILED"]').waitFor();
    const deadLetter = page.locator(`[data-dead-letter="${letter.id}"]`);
    await deadLetter.locator('.dead-letter-head [data-status="PENDING"]').waitFor();
    expect(await deadLetter.locator('[data-action="STORED"]').count()).toBe(1);
    await shots.shot(page, "timeline");

    // The cause fixed (the user's address), the dead letter is retried: by keyboard to the
    // dialog and Escape out of it, then by clicking through the confirmation.
    const good = `cora-${runId}@example.com`;
    await api.putSettings("cora", { ...settings, email: good });
    const retry = deadLetter.locator('button[data-action="retry"]');
    await retry.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    expect(await page.evaluate("document.activeElement.closest('dialog') !== null")).toBe(true);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await page.evaluate("document.activeElement.dataset.action")).toBe("retry");
    await retry.click();
    await dialog.waitFor();
    await shots.shot(page, "retry-confirmation");
    await dialog.getByRole("button", { name: "Retry", exact: true }).click();
    await dialog.waitFor({ state: "hidden" });
    await deadLetter.locator('.dead-letter-head [data-status="RESOLVED"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-field="status"] [data-status="SENT"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-list="timeline"] li[data-status="SENT"]').waitFor();
    expect(await deadLetter.locator('[data-action="REPLAYED"]').count()).toBe(1);
    await shots.shot(page, "timeline-resolved");
    expect((await observed()).mail.filter((mail) => mail.to.includes(good))).toHaveLength(1);

    // Dead letters: the list (and retry-all's dry run: nothing left to replay), the detail
    // with its headers, its payload pretty-printed (hostile text shown as text) and the audit.
    await page.getByRole("link", { name: "Dead letters", exact: true }).click();
    await page.locator(`tr[data-dead-letter="${letter.id}"] [data-status="RESOLVED"]`).waitFor();
    await page.locator('button[data-action="retry-all"]').click();
    await page.locator('[data-preview="ok"]').waitFor();
    expect(await page.locator('[data-preview="ok"]').textContent()).toBe("0 match, 0 can be replayed.");
    expect(await dialog.getByRole("button", { name: "Retry them" }).isDisabled()).toBe(true);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await shots.shot(page, "dead-letters");
    await page.locator(`tr[data-dead-letter="${letter.id}"] a`).click();
    await page.locator("[data-payload]").waitFor();
    expect(await page.locator('[data-payload-kind="json"]').count()).toBe(1);
    const payload = (await page.locator("[data-payload]").textContent()) ?? "";
    expect(payload).toContain(`"notificationId": "${notificationId}"`);
    expect(payload).toContain(JSON.stringify(HOSTILE_ERROR).slice(1, -1));
    expect(await page.locator("main script, main img").count()).toBe(0);
    expect(await page.locator('[data-table="headers"]').textContent()).toContain("X-Original-Topic");
    expect(
      await page.locator('[data-table="audit"] tr[data-action]').evaluateAll((rows) => rows.length),
    ).toBe(3);
    await shots.shot(page, "dead-letter");
    expect(await cspViolations(page)).toEqual([]);

    const korean = { tenant: "테넌트", user: "사용자", role: "역할", submit: "로그인 (개발용)" };
    // Korean: every string switches, the document says so; the overview in Korean.
    await page.getByRole("button", { name: "한국어" }).click();
    expect(await page.evaluate("document.documentElement.lang")).toBe("ko");
    expect(await page.locator("h1").textContent()).toBe(`데드 레터 ${letter.id}`);
    await page.getByRole("link", { name: "개요", exact: true }).click();
    await page.locator('[data-table="channels"] tbody tr').first().waitFor();
    expect(await page.locator("h1").textContent()).toBe("개요");
    expect(await page.locator("#channels-heading").textContent()).toBe("채널별 성공률");
    await shots.shot(page, "overview-ko");

    // An operator (every tenant's): a tenant filter and column; narrowed to this tenant, the
    // same notification and the same figures.
    await page.getByRole("button", { name: "로그아웃" }).click();
    await page.waitForURL(`${CONSOLE}/sign-in`);
    await devSignIn(page, korean, "platform", "operator");
    await page.goto(`${CONSOLE}/deliveries?${new URLSearchParams({ userId: "cora", tenant })}`);
    await page.locator(`tr[data-notification="${notificationId}"]`).waitFor();
    expect(await page.getByLabel("테넌트").inputValue()).toBe(tenant);
    expect(await page.locator(`tr[data-notification="${notificationId}"]`).textContent()).toContain(tenant);
    await page.goto(`${CONSOLE}/overview?${new URLSearchParams({ tenant })}`);
    const email = channels.find((row) => row.channel === "EMAIL") as ChannelTotals;
    await page.locator('[data-table="channels"] tr[data-channel="EMAIL"]').waitFor();
    expect(
      await rowNumbers(page, '[data-table="channels"] tr[data-channel="EMAIL"]', [
        "sentCount",
        "failedCount",
      ]),
    ).toEqual([email.sentCount + 1, email.failedCount - 1]); // the retried one is sent now
    await shots.shot(page, "overview-operator-ko");

    // An admin of another tenant, with a pasted token: none of it, by list or by address.
    await page.getByRole("button", { name: "로그아웃" }).click();
    await page.waitForURL(`${CONSOLE}/sign-in`);
    await page.getByLabel("Bearer 토큰 (JWT)").fill(await tokenFor(consoleOther, "ops", ["admin"]));
    await page.getByRole("button", { name: "로그인", exact: true }).click();
    await page.waitForURL(`${CONSOLE}/overview`);
    expect(await page.locator(".who").textContent()).toBe(`ops · ${consoleOther} · 관리자`);
    expect(await page.getByLabel("테넌트").count()).toBe(0);
    await page.locator('#dlq dd[data-field="pending"]').waitFor();
    expect(await page.locator('#dlq dd[data-field="pending"]').textContent()).toBe("0");
    expect(await page.locator('[data-table="channels"] tbody tr').count()).toBe(0);
    await page.goto(`${CONSOLE}/deliveries?userId=cora`);
    await page.getByText("일치하는 항목이 없습니다.").waitFor();
    await page.goto(`${CONSOLE}/deliveries/${encodeURIComponent(notificationId)}`);
    await page.getByText("볼 수 있는 알림이 없습니다", { exact: false }).waitFor();
    await page.goto(`${CONSOLE}/dead-letters?status=RESOLVED`);
    await page.getByText("0건 일치").waitFor();
    await page.goto(`${CONSOLE}/dead-letters/${letter.id}`);
    await page.getByText("볼 수 있는 데드 레터가 없습니다.").waitFor();
    await shots.shot(page, "other-tenant");
    expect(await cspViolations(page)).toEqual([]);

    // The only refusals were the other tenant's: its addresses of the first tenant's records.
    expect(refused.sort()).toEqual(
      [`404 /api/v1/dashboard/deliveries/${notificationId}`, `404 /api/v1/admin/dlq/${letter.id}`].sort(),
    );
    const unexpected = problems.filter((line) => !/status of 404/.test(line));
    expect(unexpected).toEqual([]);
    await context.close();
  });
});

import type { SettingsInput } from "./api";
import { type Channel, expectedStatuses, type Status } from "./expect-routing";
import { ENCODINGS, type Encoding, type FluxPayEvent, shortType } from "./fluxpay";
import { ALL_TYPES, type ShortType, userEvents } from "./scenario";

export interface Persona {
  tenant: string;
  userId: string;
  settings: SettingsInput;
  /** A single encoding, or "mixed" to cycle through all three. */
  encoding: Encoding | "mixed";
  types: readonly ShortType[];
  tenantHasSlack: boolean;
  /** Browsers (Web Push subscriptions) the user registers: PUSH is one notification per device. */
  devices: number;
}

export interface PersonaRun extends Persona {
  events: Map<ShortType, FluxPayEvent>;
  /** [event, encoding] in publishing order. */
  records: Array<[FluxPayEvent, Encoding]>;
  /** (short type, channel) → final status, for every notification the user should get. */
  expected: Array<{ type: ShortType; channel: Channel; status: Status }>;
}

/** The users of the main scenario: two locales, switches off globally and per type, no email, no Slack. */
export function personas(runId: string, tenants: { withSlack: string; withoutSlack: string }): Persona[] {
  const email = (user: string) => `${user}-${runId}@example.com`;
  return [
    {
      tenant: tenants.withSlack,
      userId: "kim",
      settings: { email: email("kim"), locale: "ko", timeZone: "Asia/Seoul" },
      encoding: "structured",
      types: ALL_TYPES,
      tenantHasSlack: true,
      devices: 2,
    },
    {
      tenant: tenants.withSlack,
      userId: "ellen",
      settings: { email: email("ellen"), locale: "en", timeZone: "America/New_York" },
      encoding: "string-wrapped",
      types: ALL_TYPES,
      tenantHasSlack: true,
      devices: 1,
    },
    {
      tenant: tenants.withSlack,
      userId: "picky",
      settings: {
        email: email("picky"),
        locale: "ko",
        channels: { EMAIL: false },
        eventTypes: {
          "payment.failed": { EMAIL: true },
          "order.created": { IN_APP: false },
          "subscription.renewed": { IN_APP: true },
        },
      },
      encoding: "binary",
      types: ALL_TYPES,
      tenantHasSlack: true,
      devices: 0,
    },
    {
      tenant: tenants.withSlack,
      userId: "noemail",
      settings: { email: null, locale: "en" },
      encoding: "mixed",
      types: ["order.created", "payment.approved", "payment.failed", "subscription.renewed"],
      tenantHasSlack: true,
      devices: 0,
    },
    {
      tenant: tenants.withoutSlack,
      userId: "bora",
      settings: { email: email("bora"), locale: "ko" },
      encoding: "mixed",
      types: ["order.created", "payment.approved", "payment.failed", "refund.failed"],
      tenantHasSlack: false,
      devices: 0,
    },
  ];
}

export function preparePersona(persona: Persona): PersonaRun {
  const { events } = userEvents(persona.tenant, persona.userId, persona.types);
  const records = persona.types.map((type, index): [FluxPayEvent, Encoding] => [
    events.get(type) as FluxPayEvent,
    persona.encoding === "mixed" ? (ENCODINGS[index % ENCODINGS.length] as Encoding) : persona.encoding,
  ]);
  const contact = { slack: persona.tenantHasSlack, devices: persona.devices };
  const expected = persona.types.flatMap((type) =>
    Object.entries(expectedStatuses(`com.fluxpay.${type}`, persona.settings, contact)).flatMap(
      ([channel, status]) => {
        const one = { type, channel: channel as Channel, status: status as Status };
        // Sent PUSH: one notification per device; skipped (no device): one row saying so.
        return channel === "PUSH" && status === "SENT" ? Array(persona.devices).fill(one) : [one];
      },
    ),
  );
  return { ...persona, events, records, expected };
}

export const countOf = (runs: PersonaRun[], channel: Channel, status: Status) =>
  runs.flatMap((run) => run.expected).filter((e) => e.channel === channel && e.status === status).length;

/** Sorted "type channel status" lines: a readable diff when a history does not match. */
export const lines = (items: Array<{ type?: string; eventType?: string; channel: string; status: string }>) =>
  items
    .map((item) => `${shortType(item.type ?? item.eventType ?? "?")} ${item.channel} ${item.status}`)
    .sort();

import { ATTR, type Context, extractTraceContext, markSpan, tracingOn } from "@fluxnotify/shared/tracing";
import type { NotificationPlan } from "./notifications";
import type { ValidEvent } from "./process-event";

/**
 * Tracing on: the routing span of one event (which channels it goes to), a child of its
 * record's consumer span, or, for a parked event being released, of the trace its stored
 * headers carry. Returns its context, for the commands and delivery events of the event to
 * continue; undefined with tracing off. It ends at once: routing is done when the plan is.
 */
export function routeSpan(input: ValidEvent, plan: NotificationPlan): Context | undefined {
  if (!tracingOn()) return undefined;
  const parent = input.record.trace ?? extractTraceContext(input.record.headers);
  return markSpan(
    "route",
    {
      attributes: {
        [ATTR.eventId]: input.event.id,
        [ATTR.eventType]: input.type,
        [ATTR.tenantId]: input.event.tenantid,
        [ATTR.channels]: plan.commands.map((command) => command.channel),
        [ATTR.skippedChannels]: plan.deliveryEvents
          .filter((event) => event.status === "SKIPPED")
          .map((event) => event.channel),
      },
    },
    parent,
  );
}

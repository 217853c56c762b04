import type { ChannelCommand } from "../../contracts/messages";
import type { Channel } from "../../contracts/topics";
import type { ChannelStrategy, Classification } from "../types";

/** What one send of a notification does: succeed, or fail the way a provider would. */
export type ScriptedStep = "ok" | "transient" | "permanent";

class ScriptedFailure extends Error {
  constructor(readonly classification: Classification) {
    super(`scripted ${classification.kind} failure (${classification.code})`);
  }
}

export interface ScriptedStrategy extends ChannelStrategy<ChannelCommand> {
  /** While true every send fails as a provider that is down, and probes fail. */
  down: boolean;
  /** Sends tried per notification id (failed ones included). */
  readonly tries: Map<string, number>;
}

/**
 * A channel strategy driven by a script per notification id (the steps its sends take in
 * turn; "ok" once the script is used up) and a provider switch: for tests of the runtime's
 * retries, dead letters, breaker and the delivery events they report, with no provider.
 */
export function scriptedStrategy(
  channel: Channel,
  script: Record<string, ScriptedStep[]> = {},
): ScriptedStrategy {
  const tries = new Map<string, number>();
  const strategy: ScriptedStrategy = {
    channel,
    provider: "scripted",
    down: false,
    tries,
    render: (command) => command,
    async send(_rendered, command) {
      const n = tries.get(command.notificationId) ?? 0;
      tries.set(command.notificationId, n + 1);
      if (strategy.down) {
        throw new ScriptedFailure({ kind: "provider_down", code: "SCRIPTED_DOWN" });
      }
      const step = script[command.notificationId]?.shift() ?? "ok";
      if (step === "transient") throw new ScriptedFailure({ kind: "transient", code: "SCRIPTED_TRANSIENT" });
      if (step === "permanent") throw new ScriptedFailure({ kind: "permanent", code: "SCRIPTED_PERMANENT" });
      return { providerMessageId: `scripted-${command.notificationId}` };
    },
    classify: (error) =>
      error instanceof ScriptedFailure ? error.classification : { kind: "transient", code: "UNKNOWN" },
    async probe() {
      if (strategy.down) throw new Error("scripted provider is down");
    },
  };
  return strategy;
}

import type { ChannelDefinition } from "./definition";
import { email } from "./email";
import { inApp } from "./in-app";
import { push } from "./push";
import { slack } from "./slack";

export * from "./definition";
export { maskPushToken, pushDeviceDisplay } from "./push";

/**
 * Every channel, by id. Adding a channel = its module beside this file, one line here, and
 * its app (apps/<app>): the compiler then points at every table keyed by channel that
 * lacks it. The order is the order channels are decided and listed in.
 */
export const CHANNEL_DEFINITIONS = {
  EMAIL: email,
  SLACK: slack,
  IN_APP: inApp,
  PUSH: push,
} as const satisfies { [Id in string]: ChannelDefinition<Id> };

export type Channel = keyof typeof CHANNEL_DEFINITIONS;
export const CHANNELS = Object.keys(CHANNEL_DEFINITIONS) as [Channel, ...Channel[]];

/** The channel workers' app names (apps/<app>). */
export type ChannelApp = (typeof CHANNEL_DEFINITIONS)[Channel]["app"];

export const channelDefinition = (channel: Channel): ChannelDefinition<Channel, ChannelApp> =>
  CHANNEL_DEFINITIONS[channel];

/**
 * The one file that imports the Kafka client library (ADR 0001). Everything else in the
 * workspace goes through the small API of this folder, so swapping the client touches
 * only here.
 */

import { connectionsApiChannel } from "@platformatic/kafka";

export type { Message, MessagesStream } from "@platformatic/kafka";
export {
  Admin,
  Consumer,
  compatibilityPartitioner,
  findErrorBy,
  ListOffsetTimestamps,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  Producer,
  stringDeserializer,
  stringSerializer,
} from "@platformatic/kafka";

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  /** How consumers of this process fetch (long-poll); the runner's defaults when absent. */
  fetch?: { minBytes: number; maxWaitMs: number } | undefined;
  /** How long the producer waits to merge concurrent sends into one request (default 5 ms). */
  producerLingerMs?: number | undefined;
}

/** Options every client shares: bounded retries so close() never hangs on a dead broker. */
export function baseClientOptions(connection: KafkaConnection) {
  return {
    clientId: connection.clientId,
    bootstrapBrokers: connection.brokers,
    connectTimeout: 5_000,
    requestTimeout: 30_000,
    retries: 5,
    retryDelay: 500,
  };
}

/** Kafka protocol API keys (stable across versions) by name, for the request metric. */
const API_NAMES: Record<number, string> = {
  0: "Produce",
  1: "Fetch",
  2: "ListOffsets",
  3: "Metadata",
  8: "OffsetCommit",
  9: "OffsetFetch",
  10: "FindCoordinator",
  11: "JoinGroup",
  12: "Heartbeat",
  13: "LeaveGroup",
  14: "SyncGroup",
  15: "DescribeGroups",
  16: "ListGroups",
  18: "ApiVersions",
  19: "CreateTopics",
  22: "InitProducerId",
  32: "DescribeConfigs",
  60: "DescribeCluster",
};

const requestsByApi = new Map<string, number>();
let countingRequests = false;

/**
 * Requests this process has sent to brokers so far, by API. Counted from the client's
 * diagnostics channel (every request passes it, whichever client sent it), subscribed once
 * per process on first use: the broker's CPU goes mostly to requests, not records, so this
 * is what explains it (the bench reports requests per notification).
 */
export function kafkaRequestCounts(): ReadonlyMap<string, number> {
  if (!countingRequests) {
    countingRequests = true;
    connectionsApiChannel.start.subscribe((context) => {
      const apiKey = (context as { apiKey?: number }).apiKey;
      if (apiKey === undefined) return;
      const api = API_NAMES[apiKey] ?? `api_${apiKey}`;
      requestsByApi.set(api, (requestsByApi.get(api) ?? 0) + 1);
    });
  }
  return requestsByApi;
}

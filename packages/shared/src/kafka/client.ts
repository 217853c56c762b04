/**
 * The one file that imports the Kafka client library (ADR 0001). Everything else in the
 * workspace goes through the small API of this folder, so swapping the client touches
 * only here.
 */

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

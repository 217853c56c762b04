// What a handler sees when its produce fails during a cluster failover: the client's own
// error objects, nested as the producer throws them after its retries. Each must be retried
// (transient), never dead-lettered: the record is fine, the cluster is electing a leader.
import { MultipleErrors, NetworkError, ResponseError } from "@platformatic/kafka";
import { describe, expect, it } from "vitest";
import { classifyFailure } from "../src/errors";

// Produce (API key 0) v11 answered with one protocol error code for partition 0.
const produceRefused = (errorCode: number) =>
  new MultipleErrors("produce failed 6 times.", [
    new ResponseError(0, 11, { "/responses/0/partitionResponses/0": [errorCode, null] }, {}),
  ]);

describe("produce failures during a cluster failover are transient", () => {
  it.each([
    ["NOT_LEADER_OR_FOLLOWER", 6],
    ["NOT_ENOUGH_REPLICAS", 19],
    ["NOT_ENOUGH_REPLICAS_AFTER_APPEND", 20],
    ["LEADER_NOT_AVAILABLE", 5],
    ["REQUEST_TIMED_OUT", 7],
  ])("%s", (_name, code) => {
    expect(classifyFailure(produceRefused(code)).kind).toBe("transient");
  });

  it("a broker that refuses connections (SIGKILLed leader)", () => {
    const refused = new MultipleErrors("produce failed 6 times.", [
      new NetworkError("Connection to 127.0.0.1:9593 failed.", { cause: new Error("connect ECONNREFUSED") }),
    ]);
    expect(classifyFailure(refused).kind).toBe("transient");
  });
});

import { describe, expect, it } from "vitest";
import { loadWorkerEnv } from "../src/env";

describe("INAPP_CHANNEL_PREFIX (CONTRACT §5, §6)", () => {
  it("is optional and empty by default", () => {
    expect(loadWorkerEnv({}).INAPP_CHANNEL_PREFIX).toBe("");
    expect(loadWorkerEnv({ INAPP_CHANNEL_PREFIX: "blue:" }).INAPP_CHANNEL_PREFIX).toBe("blue:");
  });

  it("refuses what would break subscribers' patterns, naming the variable", () => {
    for (const bad of ["blue*", "a?", "[x]", "a b", "x".repeat(65)])
      expect(() => loadWorkerEnv({ INAPP_CHANNEL_PREFIX: bad }), bad).toThrow(/INAPP_CHANNEL_PREFIX/);
  });
});

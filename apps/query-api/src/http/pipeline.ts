import { CHANNELS } from "@fluxnotify/shared/contracts";
import { defineRoute } from "@fluxnotify/shared/http";
import { z } from "zod";
import type { Pipeline } from "../pipeline/index";

const lag = z.number().int().nullable();
const pipelineResponse = z.object({
  consumerGroups: z.array(
    z.object({
      group: z.string(),
      lag: lag.describe(
        "records its consumers have not committed, over all its topics; null when not measured",
      ),
      topics: z.array(z.object({ topic: z.string(), lag })),
      error: z
        .string()
        .optional()
        .describe("why lag is null: the broker did not answer, or a topic is missing"),
    }),
  ),
  channels: z.array(
    z.object({
      channel: z.enum(CHANNELS),
      breaker: z
        .enum(["closed", "open", "unknown"])
        .describe(
          "open if any worker's circuit breaker is (its provider is down); unknown with no worker reporting",
        ),
      paused: z.boolean().describe("a worker's consumption is paused"),
      instances: z.number().int().describe("workers that reported within the last 15 s"),
      reportedAt: z.iso.datetime().nullable().describe("the newest of their reports"),
    }),
  ),
});

/**
 * Platform-wide, not tenant data: any admin or operator may see how the pipeline flows
 * (lag per consumer group, at most ~5 s old) and which channels' providers are down.
 */
export const pipelineRoute = (pipeline: Pipeline) =>
  defineRoute({
    method: "get",
    path: "/api/v1/dashboard/pipeline",
    summary: "Consumer lag of every consumer group of the platform and each channel's circuit breaker",
    tags: ["dashboard"],
    auth: "admin",
    responses: { 200: { description: "The pipeline now", schema: pipelineResponse } },
    handler: async () => {
      const body: z.infer<typeof pipelineResponse> = await pipeline.status();
      return { status: 200, body };
    },
  });

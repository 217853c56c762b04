import { csvList, loadEnv } from "@fluxnotify/shared/env";
import { z } from "zod";

/** Where tests find the real services. A separate database keeps dev data out of tests. */
export const testEnv = () =>
  loadEnv({
    TEST_KAFKA_BROKERS: csvList("127.0.0.1:9092"),
    /**
     * A three-broker cluster (infra/kafka/kafka.sh --nodes 3) for the replication tests;
     * unset, they are skipped (bin/test does not start one: three JVMs for one file).
     */
    TEST_KAFKA_CLUSTER_BROKERS: csvList(""),
    TEST_DATABASE_URL: z.string().default("postgres://postgres@127.0.0.1:5432/fluxnotify_test"),
    TEST_REDIS_URL: z.string().default("redis://127.0.0.1:6379/15"),
    /** Generated requests per API in the OpenAPI property-based tests; raise it for a deeper local run. */
    TEST_FUZZ_RUNS: z.coerce.number().int().positive().default(300),
    /** Set to debug to see the services' logs while a test runs. */
    TEST_LOG_LEVEL: z.string().default("silent"),
  });

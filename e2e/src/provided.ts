// Values the e2e global setup hands to the test files (vitest `inject`).
declare module "vitest" {
  export interface ProvidedContext {
    /** Unique per run: part of every tenant id. */
    e2eRunId: string;
    /** Base URL of the sink-control endpoint (GET /observed). */
    e2eSinkControl: string;
    e2eLogDir: string;
    /** Base URL of the OTLP collector stand-in (GET /spans?traceId=…). */
    e2eOtlpReceiver: string;
  }
}

export {};

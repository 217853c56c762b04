export * from "./dlq";
export * from "./ingest";
export * from "./read-model";
export * from "./settings";

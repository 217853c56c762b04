export * from "./dlq";
export * from "./inbox";
export * from "./ingest";
export * from "./push";
export * from "./read-model";
export * from "./settings";

export * from "./cloudevents";
export * from "./dlq";
export * from "./fluxpay-events";
export * from "./json";
export * from "./messages";
export * from "./records";
export * from "./routing";
export * from "./topics";

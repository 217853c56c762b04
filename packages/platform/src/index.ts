export * from "./apps";
export * from "./broker";
export * from "./build";
export { freePort } from "./probe";
export * from "./sinks/index";
export * from "./stores";
export * from "./supervisor";

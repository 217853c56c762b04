export * from "./apps";
export * from "./broker";
export * from "./build";
export * from "./sinks/index";
export * from "./stores";
export * from "./supervisor";

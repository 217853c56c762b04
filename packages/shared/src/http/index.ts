export * from "./app";
export * from "./auth";
export * from "./health-server";
export * from "./problem";
export * from "./routes";
export * from "./server";
export * from "./storable";
export * from "./tenant-scope";

import { baseEnv, databaseEnv, loadEnv } from "@fluxnotify/shared/env";

export const loadMigrateEnv = () => loadEnv({ ...baseEnv, ...databaseEnv });

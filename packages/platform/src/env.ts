/**
 * The environment this process was started with: the one place the platform reads it. Child
 * processes get it as the base of theirs (the supervisor drops what it configures per app,
 * see cleanEnv; kafka.sh gets it whole, for JAVA_HOME and PATH).
 */
export const callerEnv = (): NodeJS.ProcessEnv => process.env;

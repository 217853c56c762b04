/**
 * Runs `build` with NODE_ENV=production, restored afterwards. Vite decides from NODE_ENV
 * (not from its mode) whether a build is for production: whether React's JSX is compiled for
 * its development runtime (jsxDEV, which React's production build does not have). The
 * platform builds from inside vitest's global setup, where NODE_ENV is "test". Builds are run
 * one at a time (packages/platform's ensureBuilt), so nothing else sees the change.
 */
export async function asProduction<T>(build: () => Promise<T>): Promise<T> {
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    return await build();
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
  }
}

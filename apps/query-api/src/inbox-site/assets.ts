import { fileURLToPath } from "node:url";

/**
 * Where the component's file is on disk: beside this module where sources run (vitest, tsx).
 * A bundled app has no source tree: packages/build puts ./assets.bundled.ts in this module's
 * place, which finds the copy the build wrote beside the bundle.
 */
export const inboxComponentFile = (): string =>
  fileURLToPath(new URL("./fluxnotify-inbox.js", import.meta.url));

import { fileURLToPath } from "node:url";

/**
 * Where the built single-page app is, for sources (vitest, tsx): apps/console/dist/public,
 * written by the app's build (packages/build: `"web": "web"`). The bundle has
 * ./web-files.bundled.ts in this module's place, which finds the same files beside itself.
 */
export const webFilesDir = () => fileURLToPath(new URL("../dist/public/", import.meta.url));

// The bundle's twin of ./web-files.ts (packages/build: bundled twins): dist/index.js finds the
// web app in dist/public beside itself, wherever dist/ was copied to (the image's /app/dist).
import { fileURLToPath } from "node:url";

export const webFilesDir = () => fileURLToPath(new URL("./public/", import.meta.url));

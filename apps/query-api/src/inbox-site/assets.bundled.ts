// The bundle's twin of ./assets.ts (packages/build: bundled twins and file imports): the build
// writes the component into dist/ beside the bundle, and this import is its path relative to
// it. Never imported by sources: Node and vitest do not load `type: "file"` imports.
import { fileURLToPath } from "node:url";
import component from "./fluxnotify-inbox.js" with { type: "file" };

export const inboxComponentFile = (): string => fileURLToPath(new URL(component, import.meta.url));

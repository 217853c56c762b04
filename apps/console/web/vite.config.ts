import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Built by packages/build (the app's `"web": "web"`) into dist/public, which the console's
// server serves under its CSP: files of its own origin only, so nothing inline, no data:
// assets beyond images, nothing from a CDN.
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "../dist/public",
    emptyOutDir: true,
    // Fonts or scripts as data: URIs would be refused by font-src/script-src: always files.
    assetsInlineLimit: 0,
    // Every browser the console supports preloads modules itself.
    modulePreload: { polyfill: false },
    target: "es2022",
  },
  // `pnpm exec vite web` while the console server runs (bin/dev, port 8082): hot reload,
  // with the API and the development sign-in still answered by the server.
  server: {
    proxy: {
      "/api": "http://127.0.0.1:8082",
      "/console": "http://127.0.0.1:8082",
    },
  },
});

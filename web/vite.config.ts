import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// Built by `npm run build` into dist/web, where src/dashboard/route.ts serves it from (compiled or under tsx).
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    // One small app: a single chunk is fastest to load and the 300 kB budget is checked on it.
    chunkSizeWarningLimit: 300,
    reportCompressedSize: true,
    target: "es2022",
  },
});

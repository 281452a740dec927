// tsc compiles TypeScript only: copy the SQL migrations next to the compiled migrator. The folder is replaced
// whole, so a migration renamed or removed in src/ never lingers in dist/ to run a second time.
import { cpSync, rmSync } from "node:fs";
// Compiled by the tsc step of `npm run build`, which runs before this script: one implementation for build and server.
import { precompressAssets } from "../dist/dashboard/precompress.js";

rmSync("dist/db/migrations", { recursive: true, force: true });
cpSync("src/db/migrations", "dist/db/migrations", { recursive: true });

// The dashboard's assets, gzip and brotli, once at build time (src/dashboard/route.ts serves them precompressed).
precompressAssets("dist/web/assets");

#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm ci`).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
if (!existsSync(main)) {
  process.stderr.write(
    "pilotlog is not built yet: run `npm run build` (or `npm ci`) in the project folder first.\n",
  );
  process.exit(1);
}
await import(main);

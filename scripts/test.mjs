#!/usr/bin/env node
/**
 * `npm test`'s last step: the suite under vitest with coverage, then the coverage of the child processes added to it.
 *
 * The end-to-end tests run the built CLI (dist/) in child processes, which the workers' V8 coverage does not see. Each
 * child is started with NODE_V8_COVERAGE (vitest.config.ts sets it in the workers' environment, which the children
 * inherit) and writes V8's raw counters when it exits; `coverage-children.mjs` maps them back to src/ through dist's
 * source maps and counts a line of src/ as covered when a worker or a child ran it. Arguments go on to vitest (CI
 * passes its reporters).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const children = join(root, "coverage", "children");
rmSync(children, { recursive: true, force: true });
mkdirSync(children, { recursive: true });

const vitest = spawnSync(
  process.execPath,
  [join(root, "node_modules", "vitest", "vitest.mjs"), "run", "--coverage", ...process.argv.slice(2)],
  { stdio: "inherit", env: { ...process.env, PILOTLOG_CHILD_COVERAGE: children } },
);
if (vitest.status !== 0) process.exit(vitest.status ?? 1);
const merged = spawnSync(process.execPath, [join(root, "scripts", "coverage-children.mjs"), children], {
  stdio: "inherit",
});
process.exit(merged.status ?? 1);

#!/usr/bin/env node
/**
 * Adds the child processes' coverage to the suite's: `node scripts/coverage-children.mjs DIR`, DIR holding the
 * NODE_V8_COVERAGE files of the CLI processes the end-to-end tests ran (see scripts/test.mjs). Each child's counters
 * of dist/ are mapped to src/ through dist's source maps (v8-to-istanbul, as c8 does); a line of src/ counts as
 * covered when the workers (coverage/coverage-final.json, written by vitest) or any child ran it. Only the lines
 * vitest counts are counted, so the figure is comparable with vitest's own. Prints the figure and fails below
 * COVERAGE_FLOOR_WITH_CHILDREN.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import v8toIstanbul from "v8-to-istanbul";

/**
 * Lines of src/ covered by the workers and the CLI children together, in percent: `npm test` fails below it; raise it
 * when coverage rises, never lower it to let a change through. Measured 2026-12-03 on the whole suite with
 * DATABASE_URL set: 96.44 % (13,962 of 14,477 lines; the workers alone 87.06 %, 146 child processes); the floor
 * leaves room for runs without PostgreSQL, as vitest.config.ts's does.
 */
const COVERAGE_FLOOR_WITH_CHILDREN = 94;

const root = join(import.meta.dirname, "..");
const dist = `${pathToFileURL(join(root, "dist")).href}/`;
const dir = process.argv[2] ?? join(root, "coverage", "children");

/** Per src file: each line vitest counts, and whether it ran. */
const lines = new Map();
const final = JSON.parse(readFileSync(join(root, "coverage", "coverage-final.json"), "utf8"));
for (const [file, fc] of Object.entries(final)) {
  const m = new Map();
  forEachStatementLine(fc, (l, ran) => m.set(l, m.get(l) === true || ran));
  lines.set(file, m);
}
const before = count();

// Each process's counters of each dist file, converted once per distinct set of counters (most children run the
// same start-up code: identical function lists are converted once).
const seen = new Set();
const unread = [];
let processes = 0;
for (const name of readdirSync(dir)) {
  if (!name.endsWith(".json")) continue;
  let raw;
  try {
    raw = JSON.parse(readFileSync(join(dir, name), "utf8"));
  } catch {
    continue; // a child killed while writing its file
  }
  processes++;
  for (const script of raw.result ?? []) {
    if (!script.url.startsWith(dist) || !script.url.endsWith(".js")) continue;
    const key = `${script.url}\u0000${JSON.stringify(script.functions)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const converter = v8toIstanbul(fileURLToPath(script.url), 0);
    let files;
    try {
      await converter.load();
      converter.applyCoverage(script.functions);
      files = converter.toIstanbul();
    } catch (err) {
      // A dist file gone or rebuilt since the child ran: its lines count as the workers saw them.
      unread.push(`${script.url}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    } finally {
      converter.destroy();
    }
    for (const [file, fc] of Object.entries(files)) {
      const m = lines.get(file);
      if (m) forEachStatementLine(fc, (l, ran) => ran && m.has(l) && m.set(l, true));
    }
  }
}

/** Calls `fn` with the line each statement of an istanbul file coverage starts on, and whether it ran (istanbul's line metric). */
function forEachStatementLine(fc, fn) {
  for (const [id, loc] of Object.entries(fc.statementMap)) fn(loc.start.line, fc.s[id] > 0);
}

function count() {
  let total = 0;
  let covered = 0;
  for (const m of lines.values())
    for (const hit of m.values()) {
      total++;
      if (hit) covered++;
    }
  return { total, covered, pct: total === 0 ? 100 : (100 * covered) / total };
}

const after = count();
if (unread.length > 0)
  console.warn(
    `${unread.length} child coverage entries could not be mapped (not counted):\n  ${unread.slice(0, 5).join("\n  ")}`,
  );
const summary = {
  workers: before,
  withChildren: after,
  childProcesses: processes,
  floor: COVERAGE_FLOOR_WITH_CHILDREN,
};
writeFileSync(join(root, "coverage", "coverage-with-children.json"), `${JSON.stringify(summary, null, 2)}\n`);
console.log(
  `Lines of src/ covered: ${before.pct.toFixed(2)} % by the test workers (${before.covered} of ${before.total}), ` +
    `${after.pct.toFixed(2)} % with the ${processes} CLI child processes (${after.covered}) — floor ${COVERAGE_FLOOR_WITH_CHILDREN} %`,
);
if (after.pct < COVERAGE_FLOOR_WITH_CHILDREN) {
  console.error(
    `Line coverage with the CLI children ${after.pct.toFixed(2)} % is below the floor of ${COVERAGE_FLOOR_WITH_CHILDREN} %: ` +
      "add tests for what the change left unrun (coverage/ holds the reports)",
  );
  process.exit(1);
}

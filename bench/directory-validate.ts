/**
 * Directory-file validation benchmark: milliseconds for `parseDirectoryFile` (parse + schema + the model's checks,
 * no database) to accept a valid 100,000-user file (bench/apply-world.ts) and to refuse two attack files of
 * test/fuzz/directory.test.ts (100,000 bad logins; 20,000 seats naming 20,000 teams that do not exist). The
 * baseline, measured in the same run, is parsing the same text alone (JSON.parse, or the yaml library): the ratio
 * is what validation adds on top of reading the file. The machine is shared: the load (`uptime`) is printed.
 *
 *   node --import tsx bench/directory-validate.ts [--runs 3]
 */
import { execFileSync } from "node:child_process";
import { parse as parseYaml } from "yaml";
import { DirectoryFileError, parseDirectoryFile } from "../src/directory/file.js";
import { world } from "./apply-world.js";

const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 3;
const known = { enterprises: new Set<string>(), organizations: new Set<string>() };

/** The machine's load averages as `uptime` prints them. */
function load(): string {
  try {
    return execFileSync("uptime", { encoding: "utf8" })
      .trim()
      .replace(/^.*load average/, "load average");
  } catch {
    return "load unknown";
  }
}

const cases: { what: string; fileName: string; text: string; valid: boolean; issues?: number }[] = [
  { what: "valid, 100,000 users", fileName: "world.json", text: world(100_000).text, valid: true },
  {
    what: "100,000 bad logins",
    fileName: "many.yaml",
    text: `organizations:\n  - login: fo1\n    members: [${Array(100_000).fill("a b").join(", ")}]\n`,
    valid: false,
    issues: 100_000,
  },
  {
    what: "20,000 seats by 20,000 teams that do not exist",
    fileName: "many.yaml",
    text: `organizations:\n  - login: fo1\n    teams: [${Array.from({ length: 20_000 }, (_, i) => `{slug: t${i}}`).join(", ")}]\n    seats: [${Array.from({ length: 20_000 }, (_, i) => `{login: fu1, assigning_team: x${i}}`).join(", ")}]\n`,
    valid: false,
    issues: 20_000,
  },
];

/** The fastest of RUNS timings of `fn`, in ms (the minimum is the least disturbed by other processes). */
function best(fn: () => void): number {
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < RUNS; r++) {
    const started = performance.now();
    fn();
    min = Math.min(min, performance.now() - started);
  }
  return min;
}

console.log(`directory validation, best of ${RUNS}; ${load()}`);
for (const c of cases) {
  const isJson = c.fileName.endsWith(".json");
  const parseOnly = best(() => (isJson ? JSON.parse(c.text) : parseYaml(c.text, { uniqueKeys: true })));
  const whole = best(() => {
    try {
      parseDirectoryFile(c.text, c.fileName, known);
      if (!c.valid) throw new Error(`${c.what}: accepted`);
    } catch (err) {
      if (!(err instanceof DirectoryFileError) || c.valid) throw err;
      if (c.issues !== undefined && err.issues.length !== c.issues)
        throw new Error(`${c.what}: ${err.issues.length} issues, expected ${c.issues}`);
    }
  });
  console.log(
    `${c.what}: ${Math.round(whole)} ms (parsing alone ${Math.round(parseOnly)} ms; validation ${Math.round(whole - parseOnly)} ms, ×${(whole / parseOnly).toFixed(2)} of parsing)`,
  );
}
console.log(`after: ${load()}`);

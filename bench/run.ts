/**
 * `npm run bench [-- --quick]`: runs every benchmark in its own process, one after another (the machine is
 * shared: each prints its figure beside a baseline measured in the same run).
 */
import { spawnSync } from "node:child_process";

const BENCHES = [
  "bench/rollup.ts",
  "bench/apply.ts",
  "bench/directory-validate.ts",
  "bench/ingest.ts",
  "bench/validate.ts",
  "bench/otlp.ts",
  "bench/serve.ts",
  "bench/memory.ts",
  "bench/import.ts",
  "bench/reports.ts",
];
const extra = process.argv.slice(2);
let failed = 0;
for (const file of BENCHES) {
  const r = spawnSync(process.execPath, ["--import", "tsx", file, ...extra], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);

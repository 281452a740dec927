import { defineConfig } from "vitest/config";

/**
 * Lines of src/ the suite must cover (`npm test` fails below it): raise it when coverage rises, never lower it to
 * let a change through. Measured 2026-12-02 on a subset of the suite (src/, web/src and 13 files of test/):
 * 74.07 % of lines; the whole suite covers at least that, so the floor is that figure minus 1. The whole suite's
 * figure (still to be measured: its run with coverage did not report, as a test failed) should replace it.
 */
const COVERAGE_FLOOR_LINES = 73;

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "web/src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    coverage: {
      // V8's own counters, collected in each forked worker and merged: no instrumentation of the code.
      provider: "v8",
      include: ["src/**/*.ts"],
      exclude: ["src/**/*.test.ts", "src/db/migrate-fixtures/**"],
      // The CLI end-to-end tests run the built dist/ in child processes, which V8 coverage of the workers
      // does not see: what they exercise of src/cli/ is not counted (a floor below 100 % allows for it).
      reporter: ["text-summary", "json-summary"],
      reportsDirectory: "coverage",
      // A failing test still reports coverage (vitest skips the report on failure by default).
      reportOnFailure: true,
      thresholds: { lines: COVERAGE_FLOOR_LINES },
    },
  },
});

import { defineConfig } from "vitest/config";

/**
 * Lines of src/ the suite must cover (`npm test` fails below it): raise it when coverage rises, never lower it to
 * let a change through. Measured 2026-12-02 on the whole suite with DATABASE_URL set (both databases): 86.51 % of
 * lines (11,770 of 13,605); the floor leaves 1.5 points for runs without PostgreSQL, whose PostgreSQL-only code
 * (replica, advisory locks, deadlock retries) goes unrun. The 90 % aimed at is not reached: the CLI end-to-end
 * tests run dist/ in child processes, which V8 coverage does not see.
 */
const COVERAGE_FLOOR_LINES = 85;

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

/**
 * Rollup benchmark (issue 6): seconds to process one day for N active users (3 organizations, 1,000 teams, the
 * simulator's activity ≈ 30 events per active user), against a baseline measured in the same run: reading the
 * same facts with a plain SELECT. Prints the ratio and the slope of time over users.
 *
 *   node --import tsx bench/rollup.ts [--quick] [--users 1000,10000,100000] [--runs 2] [--engines pglite,postgres]
 */
import { execSync } from "node:child_process";
import { processDay } from "../src/rollup/process.js";
import { DAY, open, seed, TODAY } from "./world.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes("--quick");
const sizes = (arg("--users") ?? (quick ? "1000,5000" : "1000,10000,100000")).split(",").map(Number);
const engines =
  arg("--engines")?.split(",") ?? (process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"]);
const runs = Number(arg("--runs") ?? 2);

for (const engine of engines) {
  console.log(`[rollup ${engine}] machine load: ${execSync("uptime").toString().trim()}`);
  const rows: {
    users: number;
    events: number;
    facts: number;
    processS: number;
    selectS: number;
    legacyS: number;
  }[] = [];
  for (const users of sizes) {
    const { db, close } = await open(engine);
    const seedStart = performance.now();
    const events = await seed(db, users);
    const seedS = (performance.now() - seedStart) / 1000;
    let t = performance.now();
    const facts = await db.query(
      "SELECT user_id, feature, editor, model, dim, n1, n2, n3, n4 FROM facts WHERE day = $1 ORDER BY user_id",
      [DAY],
    );
    const selectS = (performance.now() - t) / 1000;
    const at = new Date(`${TODAY}T00:10:00Z`);
    // Baseline of what the usage-metrics reports add: the same day with the legacy documents only, alternating with
    // the full processing `--runs` times (default 2), the fastest of each counting: one run on this shared machine
    // moves 2× with the load. Before each full run the day's reports are removed (untimed), so every one stores a
    // day for the first time, as the scheduler does.
    const legacy: number[] = [];
    const full: number[] = [];
    let r: Awaited<ReturnType<typeof processDay>> | undefined;
    for (let i = 0; i < runs; i++) {
      t = performance.now();
      await processDay(db, DAY, at, { reports: false });
      legacy.push((performance.now() - t) / 1000);
      await db.query("DELETE FROM user_day_records");
      // user_team_rows before migration 017, so the same bench measures the code before it.
      await db.query("DELETE FROM user_team_days").catch(() => db.query("DELETE FROM user_team_rows"));
      await db.query("DELETE FROM report_days");
      t = performance.now();
      r = await processDay(db, DAY, at);
      full.push((performance.now() - t) / 1000);
    }
    const processS = Math.min(...full);
    const legacyS = Math.min(...legacy);
    const [recs] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM user_day_records WHERE day = $1",
      [DAY],
    );
    rows.push({ users, events, facts: facts.length, processS, selectS, legacyS });
    console.log(
      `[rollup ${engine}] ${users} users: ${events} events seeded in ${seedS.toFixed(1)} s → ${facts.length} facts; ` +
        `process ${processS.toFixed(2)} s (${full.map((x) => x.toFixed(2)).join("/")}; ${r!.documents} documents, ${recs?.n ?? 0} user-day records) vs plain SELECT ${selectS.toFixed(2)} s: ratio ${(processS / selectS).toFixed(1)}×; ` +
        `legacy documents only ${legacyS.toFixed(2)} s (${legacy.map((x) => x.toFixed(2)).join("/")}): with reports ${(processS / legacyS).toFixed(2)}× (target ≤ 1.5×)`,
    );
    await close();
  }
  if (rows.length > 1) {
    const [a, b] = [rows[0]!, rows.at(-1)!];
    const slope = Math.log(b.processS / a.processS) / Math.log(b.users / a.users);
    console.log(
      `[rollup ${engine}] time grows as users^${slope.toFixed(2)} from ${a.users} to ${b.users} users (1.00 = linear)`,
    );
  }
}

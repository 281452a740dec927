/**
 * Rollup benchmark (issue 6): seconds to process one day for N active users (3 organizations, 1,000 teams, the
 * simulator's activity ≈ 30 events per active user), against a baseline measured in the same run: reading the
 * same facts with a plain SELECT. Prints the ratio and the slope of time over users.
 *
 *   node --import tsx bench/rollup.ts [--quick] [--users 1000,10000,100000]
 */
import type { Db } from "../src/db/db.js";
import { migrate } from "../src/db/migrate.js";
import { PgliteDb } from "../src/db/pglite.js";
import { PostgresDb } from "../src/db/postgres.js";
import { applyDirectoryText } from "../src/directory/apply.js";
import { storeEvents } from "../src/ingest/store.js";
import { validateEvent } from "../src/ingest/validate.js";
import { processDay } from "../src/rollup/process.js";
import { buildWorld, userDay } from "../src/simulate/index.js";
import { addDays } from "../src/util/time.js";

const TODAY = "2026-11-20";
const DAY = addDays(TODAY, -2); // a Wednesday: a weekday's activity

async function open(engine: string): Promise<{ db: Db; close(): Promise<void> }> {
  if (engine === "pglite") {
    const db = await PgliteDb.open();
    await migrate(db);
    return { db, close: () => db.close() };
  }
  const base = process.env.DATABASE_URL!;
  const name = `pilotlog_bench_${Date.now()}`;
  const admin = await PostgresDb.open(base, { max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  const db = await PostgresDb.open(u.toString());
  await migrate(db);
  return {
    db,
    async close() {
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}

/** 3 organizations, 1,000 teams (each user in one or two), every user seated and active on DAY. */
async function seed(db: Db, users: number): Promise<number> {
  const world = buildWorld({ users, seed: "bench", today: TODAY });
  for (const u of world.users) {
    u.adoptedOn = world.first;
    u.activity = 1;
    u.since = null;
    u.until = null;
    u.telemetry = true;
  }
  const orgs = ["bench-a", "bench-b", "bench-c"].map((login, o) => ({
    login,
    members: world.users.filter((_, i) => i % 3 === o).map((u) => u.login),
  }));
  const teams = Array.from({ length: 1000 }, (_, t) => ({
    org: orgs[t % 3]!.login,
    slug: `team-${t}`,
    members: [] as string[],
  }));
  world.users.forEach((u, i) => {
    const o = i % 3;
    const own = teams.filter((_, t) => t % 3 === o);
    const k = Math.floor(i / 3);
    own[k % own.length]!.members.push(u.login);
    if (k % 2 === 0) own[(k * 7 + 3) % own.length]!.members.push(u.login);
  });
  const directory = {
    organizations: orgs.map((o) => ({
      login: o.login,
      members: o.members,
      seats: o.members,
      teams: teams
        .filter((t) => t.org === o.login)
        .map((t) => ({ slug: t.slug, members: [...new Set(t.members)] })),
    })),
  };
  await applyDirectoryText(db, JSON.stringify(directory), "bench.json", { today: TODAY, windowDays: 28 });
  let events = 0;
  let batch: { event: Parameters<typeof storeEvents>[1][number]["event"]; login: string }[] = [];
  const flush = async () => {
    const b = batch;
    batch = [];
    await db.transaction((tx) => storeEvents(tx, b, TODAY));
  };
  const now = new Date(`${TODAY}T00:00:00Z`);
  for (const u of world.users) {
    for (const raw of userDay(world, u, DAY)) {
      const v = validateEvent(raw, { now, earliestDay: world.first });
      if (!v.ok) throw new Error(v.message);
      batch.push({ event: v.event, login: u.login });
      events++;
      if (batch.length >= 10_000) await flush();
    }
  }
  await flush();
  return events;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes("--quick");
const sizes = (arg("--users") ?? (quick ? "1000,10000" : "1000,10000,100000")).split(",").map(Number);
const engines = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

for (const engine of engines) {
  const rows: { users: number; events: number; facts: number; processS: number; selectS: number }[] = [];
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
    t = performance.now();
    const r = await processDay(db, DAY, new Date(`${TODAY}T00:10:00Z`));
    const processS = (performance.now() - t) / 1000;
    rows.push({ users, events, facts: facts.length, processS, selectS });
    console.log(
      `[rollup ${engine}] ${users} users: ${events} events seeded in ${seedS.toFixed(1)} s → ${facts.length} facts; ` +
        `process ${processS.toFixed(2)} s (${r.documents} documents) vs plain SELECT ${selectS.toFixed(2)} s: ratio ${(processS / selectS).toFixed(1)}×`,
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

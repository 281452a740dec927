/** Shared by the benchmarks: a fresh database and a large world with one weekday of activity. */
import type { Db } from "../src/db/db.js";
import { migrate } from "../src/db/migrate.js";
import { PgliteDb } from "../src/db/pglite.js";
import { PostgresDb } from "../src/db/postgres.js";
import { createScratchDatabase } from "../src/db/scratch.js";
import { applyDirectoryText } from "../src/directory/apply.js";
import { storeEvents } from "../src/ingest/store.js";
import { validateEvent } from "../src/ingest/validate.js";
import { buildWorld, userDay } from "../src/simulate/index.js";
import { addDays } from "../src/util/time.js";

export const TODAY = "2026-11-20";
/** A Wednesday: a weekday's activity. */
export const DAY = addDays(TODAY, -2);
/** The token of the largest organization's owner in the seeded world. */
export const OWNER_TOKEN = "pl_bench_owner_token";
/** Events per active user on the seeded day (issue 6). */
export const EVENTS_PER_USER = 30;

/** A fresh migrated database: in memory or in `dataDir` for PGlite, a new database on DATABASE_URL's server. */
export async function open(
  engine: string,
  dataDir?: string,
): Promise<{ db: Db; url?: string; close(): Promise<void> }> {
  if (engine === "pglite") {
    const db = await PgliteDb.open(dataDir);
    await migrate(db);
    return { db, close: () => db.close() };
  }
  const scratch = await createScratchDatabase(process.env.DATABASE_URL!, "pilotlog_bench");
  const db = await PostgresDb.open(scratch.url);
  await migrate(db);
  return {
    db,
    url: scratch.url,
    async close() {
      await db.close();
      await scratch.drop();
    },
  };
}

/** Seeds 3 organizations, 1,000 teams (each user in one or two), every user seated and active on DAY. */
export async function seed(db: Db, users: number): Promise<number> {
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
    tokens: [{ token: OWNER_TOKEN, kind: "classic", user: "bench-owner", scopes: ["read:org"] }],
    organizations: orgs.map((o) => ({
      login: o.login,
      owners: o.login === "bench-a" ? ["bench-owner"] : [],
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
  // The load is 30 events per active user; one simulated day gives ≈ 19, so each user's day is the first
  // 30 events of three simulated sessions (each with its own seed, so their ids differ).
  const sessions = [world, { ...world, seed: `${world.seed}-2` }, { ...world, seed: `${world.seed}-3` }];
  for (const u of world.users) {
    for (const raw of sessions.flatMap((w) => userDay(w, u, DAY)).slice(0, EVENTS_PER_USER)) {
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

/**
 * Apply benchmark (issue 13): seconds to apply a directory file of N users in 10 organizations (every user a
 * member and a seat of one, N / 10 teams of 10 members) with a `users:` section listing every user, on a fresh
 * database, then again unchanged (the shortcut of directory/applied.ts), then with one user's telemetry flipped (a
 * full comparison that finds one change); against a baseline measured in the same run: a plain multi-row INSERT of
 * the same users, teams and grants into a fresh database. Prints the ratios, the slope of time over users, and the
 * machine's load (`uptime`) before and after each engine: the machine is shared, so read the ratios.
 *
 *   node --import tsx bench/apply.ts [--quick] [--users 10000,100000]
 */
import { execFileSync } from "node:child_process";
import { applyDirectoryText } from "../src/directory/apply.js";
import { ORGS, type World, world } from "./apply-world.js";
import { open, TODAY } from "./world.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes("--quick");
const sizes = (arg("--users") ?? (quick ? "1000,10000" : "10000,100000")).split(",").map(Number);
const engines = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
/** The machine's load averages as `uptime` prints them. */
function load(): string {
  try {
    return execFileSync("uptime", { encoding: "utf8" })
      .trim()
      .replace(/^.*load average/, "load average");
  } catch {
    return "load average unknown";
  }
}

/** The same rows written by plain multi-row INSERTs (ids known in advance): what storing them costs at least. */
async function baseline(engine: string, w: World): Promise<number> {
  const { db, close } = await open(engine);
  const n = w.users.length;
  const t = performance.now();
  await db.transaction(async (tx) => {
    await tx.query(
      "INSERT INTO enterprises (id, slug, name, policy) VALUES (1, 'bench-ent', 'Bench', 'no_policy')",
    );
    await tx.query(
      `INSERT INTO organizations (id, login, login_lower, name, enterprise_id, policy)
       SELECT o, 'org-' || (o - 1), 'org-' || (o - 1), 'org-' || (o - 1), 1, 'enabled' FROM generate_series(1, $1::int) o`,
      [ORGS],
    );
    await tx.query(
      "INSERT INTO users (id, login, login_lower, telemetry) SELECT i, l, l, tm FROM unnest($1::int[], $2::text[], $3::bool[]) AS x(i, l, tm)",
      [w.users.map((_, i) => i + 1), w.users, w.users.map((_, i) => i % 50 !== 0)],
    );
    const teamKey = (i: number) => `${w.orgOf(i)}:${w.teamOf(i)}`;
    const teamIds = new Map<string, number>();
    for (let i = 0; i < n; i++) if (!teamIds.has(teamKey(i))) teamIds.set(teamKey(i), teamIds.size + 1);
    const keys = [...teamIds.keys()];
    await tx.query(
      "INSERT INTO teams (id, org_id, slug, name) SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[])",
      [
        keys.map((_, i) => i + 1),
        keys.map((k) => Number(k.split(":")[0]) + 1),
        keys.map((k) => `team-${k.split(":")[1]}`),
        keys.map((k) => `Team ${k.split(":")[1]}`),
      ],
    );
    const kind: string[] = [];
    const scope: number[] = [];
    const user: number[] = [];
    const role: string[] = [];
    for (let i = 0; i < n; i++) {
      for (const [k, s, r] of [
        ["org", w.orgOf(i) + 1, "member"],
        ["org", w.orgOf(i) + 1, "seat"],
        ["team", teamIds.get(teamKey(i))!, "member"],
      ] as const) {
        kind.push(k);
        scope.push(s);
        user.push(i + 1);
        role.push(r);
      }
    }
    await tx.query(
      "INSERT INTO grants (scope_kind, scope_id, user_id, role) SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::text[])",
      [kind, scope, user, role],
    );
  });
  const s = (performance.now() - t) / 1000;
  await close();
  return s;
}

for (const engine of engines) {
  console.log(`[apply ${engine}] ${load()}`);
  const rows: { users: number; firstS: number; againS: number; oneS: number; baseS: number }[] = [];
  for (const users of sizes) {
    const w = world(users);
    const baseS = await baseline(engine, w);
    const { db, close } = await open(engine);
    const opts = { today: TODAY, windowDays: 28 };
    const timed = async (text: string) => {
      const t = performance.now();
      const report = await applyDirectoryText(db, text, "bench.json", opts);
      return { report, s: (performance.now() - t) / 1000 };
    };
    const first = await timed(w.text);
    const again = await timed(w.text);
    const one = await timed(world(users, 1).text);
    if (!first.report.changed || again.report.changed || one.report.users.telemetryChanged !== 1)
      throw new Error("apply: the first run must change, the repeat must not, the third must flip one user");
    const row = { users, firstS: first.s, againS: again.s, oneS: one.s, baseS };
    rows.push(row);
    console.log(
      `[apply ${engine}] ${users} users, ${ORGS} organizations, ${first.report.teams.created} teams, ${first.report.grants.added} grants ` +
        `(${(w.text.length / 1e6).toFixed(1)} MB JSON): first ${row.firstS.toFixed(2)} s, unchanged repeat ${row.againS.toFixed(2)} s, ` +
        `one change ${row.oneS.toFixed(2)} s; plain INSERT of the same rows ${baseS.toFixed(2)} s: ratio ${(row.firstS / baseS).toFixed(1)}×`,
    );
    await close();
  }
  if (rows.length > 1) {
    const [a, b] = [rows[0]!, rows.at(-1)!];
    const slope = (x: number, y: number) => Math.log(y / x) / Math.log(b.users / a.users);
    console.log(
      `[apply ${engine}] from ${a.users} to ${b.users} users: first apply grows as users^${slope(a.firstS, b.firstS).toFixed(2)}, ` +
        `unchanged repeat as users^${slope(a.againS, b.againS).toFixed(2)}, one change as users^${slope(a.oneS, b.oneS).toFixed(2)}, ` +
        `baseline as users^${slope(a.baseS, b.baseS).toFixed(2)} (1.00 = linear)`,
    );
  }
  console.log(`[apply ${engine}] ${load()}`);
}

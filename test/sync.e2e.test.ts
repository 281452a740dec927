import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/db/db.js";
import { applyDirectoryText } from "../src/directory/apply.js";
import { runImport } from "../src/import/run.js";
import { databaseSink } from "../src/import/sink.js";
import type { DayDocument } from "../src/rollup/document.js";
import { runProcessing } from "../src/rollup/run.js";
import { buildWorld, simulate, worldDirectory } from "../src/simulate/index.js";
import { UpstreamError, upstream } from "../src/sync/client.js";
import { runSync, type SyncSummary } from "../src/sync/run.js";
import { databaseTarget } from "../src/sync/target.js";
import { ManualClock } from "../src/util/clock.js";
import { addDays, dayRange } from "../src/util/time.js";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";
import { startLimitProxy } from "./helpers/limit-proxy.js";

/*
 * `pilotlog sync` against a real upstream: a pilotlog demo world A on port 0 (its companion and report routes, its
 * signed links), synced into an empty B, processed there, and compared with A as spec/usage-reports-import.md's
 * round trip says; the HTTP round trip of `import` (A's files downloaded through its signed links); rate limits
 * answered by a real HTTP proxy in front of A; an upstream that goes away mid-way and a rerun; a refused token.
 */
const TODAY = "2026-11-20";
const NOW = `${TODAY}T12:00:00Z`;
const FIRST = addDays(TODAY, -28);
const DAYS = dayRange(FIRST, addDays(TODAY, -1));
const world = buildWorld({ users: 50, seed: "sync", today: TODAY });
const SYNC_TOKEN = "pl_sync_bot_token";
const ORGS = world.orgs.filter((o) => o.policy === "enabled").map((o) => o.login);
const SCOPES = [`ent:${world.enterprise}`, ...ORGS.map((o) => `org:${o}`)];

/** A's directory, plus a bot that owns every organization and the enterprise: the token sync uses. */
function directoryOfA(): string {
  const d = worldDirectory(world) as {
    enterprises: { owners: string[] }[];
    organizations: { owners: string[] }[];
    tokens: object[];
  };
  d.enterprises[0]!.owners.push("sync-bot");
  for (const o of d.organizations) o.owners.push("sync-bot");
  d.tokens.push({
    token: SYNC_TOKEN,
    user: "sync-bot",
    kind: "classic",
    scopes: ["read:org", "read:enterprise", "manage_billing:copilot"],
  });
  return JSON.stringify(d);
}

type Line = Record<string, unknown>;

/** Scope key → a name both stores share ('org:demo-core', 'team:demo-core/backend', 'eteam:demo-ent/x'). */
async function scopeNames(db: Db): Promise<Map<string, string>> {
  const rows = await db.query<{ key: string; name: string }>(
    `SELECT 'org:' || id AS key, 'org:' || login_lower AS name FROM organizations
     UNION ALL SELECT 'ent:' || id, 'ent:' || slug FROM enterprises
     UNION ALL SELECT 'team:' || t.id, 'team:' || o.login_lower || '/' || t.slug FROM teams t JOIN organizations o ON o.id = t.org_id
     UNION ALL SELECT 'eteam:' || t.id, 'eteam:' || e.slug || '/' || t.slug FROM teams t JOIN enterprises e ON e.id = t.enterprise_id`,
  );
  return new Map(rows.map((r) => [r.key, r.name]));
}

/** Every stored record and document of a store, keyed by shared names. */
async function snapshot(db: Db) {
  const names = await scopeNames(db);
  const records = new Map<string, string[]>();
  for (const r of await db.query<{ scope: string; day: string; body: string }>(
    `SELECT scope, day::text AS day, body FROM user_day_records ORDER BY scope, day, login COLLATE "C"`,
  )) {
    const k = `${names.get(r.scope)}|${r.day}`;
    records.set(k, [...(records.get(k) ?? []), r.body]);
  }
  const docs = new Map<string, DayDocument>();
  for (const d of await db.query<{ scope: string; day: string; body: string }>(
    "SELECT scope, day::text AS day, body FROM day_documents",
  ))
    docs.set(`${names.get(d.scope)}|${d.day}`, JSON.parse(d.body) as DayDocument);
  const teamRows = new Map<string, number>();
  for (const r of await db.query<{ scope: string; day: string; slug: string; n: number }>(
    "SELECT scope, day::text AS day, slug, count(*)::int AS n FROM user_team_rows GROUP BY scope, day, slug",
  ))
    teamRows.set(`${names.get(r.scope)}|${r.slug}|${r.day}`, r.n);
  const teams = [...names.values()].filter((n) => n.startsWith("team:") || n.startsWith("eteam:")).sort();
  return { records, docs, teamRows, teams };
}

/** A's report files of one scope and day, fetched as a client does (links without credentials). */
async function reportLines(url: string, scope: string, report: string, day: string): Promise<Line[]> {
  const base = scope.startsWith("org:") ? `/orgs/${scope.slice(4)}` : `/enterprises/${scope.slice(4)}`;
  const res = await fetch(`${url}${base}/copilot/metrics/reports/${report}?day=${day}`, {
    headers: { authorization: `token ${SYNC_TOKEN}` },
  });
  if (res.status === 204) return [];
  expect(res.status).toBe(200);
  const { download_links } = (await res.json()) as { download_links: string[] };
  let text = "";
  for (const link of download_links) text += await (await fetch(link)).text();
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Line);
}

type Snap = Awaited<ReturnType<typeof snapshot>>;

/** A team or enterprise team of a synced scope (a policy-disabled organization is not synced, nor its teams). */
function synced(name: string): boolean {
  if (name.startsWith("eteam:")) return true;
  return name.startsWith("team:") && ORGS.includes(name.slice(5).split("/")[0]!);
}

/**
 * B against A: every user-day record of every org and enterprise and day equal (A's bytes, unknown keys and ids
 * included); the legacy documents equal on the fields the spec marks exact. B's active users are A's users with a
 * record (A also counts users seen only in github.com chat or `activity`, which GitHub's files leave out: lost, as
 * the spec says); completions per language, editor and model are equal (the world's users each use one IDE).
 * Team documents are compared on the days both stores serve one (the directory came along with the sync).
 */
function compare(
  a: Snap,
  b: Snap,
  opts: { teams: boolean },
): { records: number; docs: number; teamDocs: number } {
  let records = 0;
  let docs = 0;
  let teamDocs = 0;
  for (const scope of SCOPES)
    for (const day of DAYS) {
      const k = `${scope}|${day}`;
      expect(b.records.get(k) ?? [], k).toEqual(a.records.get(k) ?? []);
      records += (a.records.get(k) ?? []).length;
      const da = a.docs.get(k);
      const db = b.docs.get(k);
      const active = (a.records.get(k) ?? []).length;
      if (active === 0) continue;
      expect(db, `B's document of ${k}`).toBeDefined();
      expect(da, `A's document of ${k}`).toBeDefined();
      expect(db!.total_active_users, k).toBe(active);
      expect(db!.copilot_ide_code_completions, k).toEqual(da!.copilot_ide_code_completions);
      expect(db!.copilot_dotcom_chat).toEqual({ total_engaged_users: 0 });
      expect(db!.copilot_dotcom_pull_requests).toEqual({ total_engaged_users: 0 });
      docs++;
    }
  if (opts.teams) {
    // The same teams and enterprise teams, day by day: no enterprise team made of an organization team's slug.
    const teamKeys = (x: Snap) =>
      [...x.docs.keys()].filter((k) => DAYS.includes(k.split("|")[1]!) && synced(k.split("|")[0]!)).sort();
    expect(teamKeys(b)).toEqual(teamKeys(a));
    expect(b.teams.filter(synced)).toEqual(a.teams.filter(synced));
    expect(b.teams.filter((t) => t.startsWith("eteam:"))).toEqual(
      a.teams.filter((t) => t.startsWith("eteam:")),
    );
  }
  if (opts.teams)
    for (const [k, db] of b.docs) {
      if (!k.startsWith("team:") && !k.startsWith("eteam:")) continue;
      const da = a.docs.get(k);
      expect(da, `A serves ${k} too`).toBeDefined();
      const [name, day] = k.split("|") as [string, string];
      const slug = name.split("/")[1]!;
      const owner = name.startsWith("team:")
        ? `org:${name.slice(5).split("/")[0]}`
        : `ent:${world.enterprise}`;
      expect(db.total_active_users, k).toBe(a.teamRows.get(`${owner}|${slug}|${day}`) ?? 0);
      expect(db.copilot_ide_code_completions, k).toEqual(da!.copilot_ide_code_completions);
      teamDocs++;
    }
  return { records, docs, teamDocs };
}

for (const backend of backends) {
  describe(`sync from a pilotlog upstream on ${backend.name}`, { timeout: 600_000 }, () => {
    let a: Harness;
    let snapA: Snap;
    const opened: { drop(): Promise<void> }[] = [];

    async function fresh(): Promise<{ db: Db; clock: ManualClock }> {
      const b = await backend.create();
      opened.push(b);
      return { db: b.db, clock: new ManualClock(new Date(NOW)) };
    }

    async function syncInto(
      db: Db,
      clock: ManualClock,
      api: string,
      opts: { scopes?: string[]; days?: number; token?: string; retries?: number; log?: string[] } = {},
    ): Promise<SyncSummary> {
      const log = opts.log ?? [];
      return runSync({
        up: upstream(api, opts.token ?? SYNC_TOKEN, {
          log: (l) => log.push(l),
          ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
        }),
        target: databaseTarget(db, clock, 28),
        scopes: opts.scopes ?? SCOPES,
        days: opts.days ?? 28,
        clock,
        log: (l) => log.push(l),
      });
    }

    beforeAll(async () => {
      a = await startHarness(backend, NOW, 28, 0, {
        linkTtlMs: 3_600_000,
        fileRecords: 7,
        retentionDays: 365,
      });
      await a.apply(directoryOfA());
      for (const { events } of simulate(world))
        for (let i = 0; i < events.length; i += 5000) {
          const sent = await a.send(world.tokens.relay, events.slice(i, i + 5000));
          if (sent.status !== 202) throw new Error(JSON.stringify(sent.body));
        }
      await a.process();
      snapA = await snapshot(a.db);
    }, 600_000);
    afterAll(async () => {
      await a?.close();
      for (const o of opened) await o.drop();
    });

    it("sync of an empty B from A, then processing in B, gives A's records and A's exact legacy fields", async () => {
      const { db, clock } = await fresh();
      const log: string[] = [];
      const s = await syncInto(db, clock, a.url, { log });
      expect(s.scopes.map((x) => x.error)).toEqual(SCOPES.map(() => null));
      const core = s.scopes.find((x) => x.scope === "org:demo-core")!;
      expect(core.members).toBe(world.users.filter((u) => u.org === "demo-core" && !u.until).length + 2);
      expect(core.teams).toBe(world.teams.filter((t) => t.org === "demo-core").length);
      expect(core.days).toBe(28);
      expect(s.scopes.find((x) => x.scope.startsWith("ent:"))!.teams).toBe(world.enterpriseTeams.length);
      const ent = s.scopes.find((x) => x.scope.startsWith("ent:"))!;
      expect(ent.teamRows).toBeGreaterThan(0);
      expect(ent.orgTeamRows).toBeGreaterThan(0);
      await runProcessing(db, clock.now(), { windowDays: 28 });
      const c = compare(snapA, await snapshot(db), { teams: true });
      expect(c.records).toBe(s.scopes.reduce((n, x) => n + x.records, 0));
      expect(c.docs).toBeGreaterThan(50);
      expect(c.teamDocs).toBeGreaterThan(20);

      // A second run fetches only the settling days again, and changes nothing that was already equal.
      const again = await syncInto(db, clock, a.url);
      expect(again.scopes.map((x) => x.days)).toEqual(SCOPES.map(() => 3));
      await runProcessing(db, clock.now(), { windowDays: 28 });
      compare(snapA, await snapshot(db), { teams: true });
    });

    it("import of A's files downloaded through its signed links into a fresh B gives the same", async () => {
      const { db, clock } = await fresh();
      await applyDirectoryText(db, directoryOfA(), "a.json", {
        today: TODAY,
        now: clock.now(),
        windowDays: 28,
      });
      const dir = await mkdtemp(join(tmpdir(), "pilotlog-http-roundtrip-"));
      try {
        for (const scope of SCOPES) {
          const files: string[] = [];
          // The enterprise's user-teams rows name its organizations' teams too: the import must not make enterprise
          // teams of them (the directory applied above knows them as organization teams).
          for (const day of DAYS)
            for (const report of ["users-1-day", "user-teams-1-day"]) {
              const lines = await reportLines(a.url, scope, report, day);
              const f = join(dir, `${scope.replace(":", "-")}-${day}-${report}.ndjson`);
              await writeFile(f, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
              files.push(f);
            }
          const names = scope.startsWith("org:")
            ? { org: scope.slice(4), enterprise: null }
            : { org: null, enterprise: scope.slice(4) };
          const r = await runImport(files, databaseSink(db, names));
          expect(r.problemCount).toBe(0);
          if (scope.startsWith("ent:")) {
            expect(r.orgTeamRows).toBeGreaterThan(0);
            expect(r.teamsCreated).toBe(0);
          } else expect(r.orgTeamRows).toBe(0);
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      await runProcessing(db, clock.now(), { windowDays: 28 });
      const c = compare(snapA, await snapshot(db), { teams: true });
      expect(c.docs).toBeGreaterThan(50);
    });

    it("waits for 429, secondary-rate-limit 403s and a spent budget, then completes", async () => {
      const proxy = await startLimitProxy(
        a.url,
        new Map([
          [1, { status: 429, retryAfter: 1, message: "You have exceeded a secondary rate limit." }],
          [
            3,
            { status: 403, retryAfter: 1, message: "You have exceeded a secondary rate limit. Please wait." },
          ],
          [5, { spent: true, resetInSeconds: 1 }],
          [9, { status: 403, retryAfter: 1, message: "You have exceeded a secondary rate limit." }],
        ]),
      );
      try {
        const { db, clock } = await fresh();
        const log: string[] = [];
        const s = await syncInto(db, clock, proxy.url, { scopes: ["org:demo-labs"], days: 4, log });
        expect(s.scopes[0]!.error).toBeNull();
        expect(s.scopes[0]!.days).toBe(4);
        expect(s.waits).toBeGreaterThanOrEqual(4);
        expect(log.filter((l) => /secondary rate limit.*waiting 1 s/.test(l)).length).toBe(3);
        expect(log.some((l) => /budget spent: waiting/.test(l))).toBe(true);
        // Each refused request was sent again: the proxy saw it twice in a row.
        expect(proxy.seen[1]).toBe(proxy.seen[0]);
        expect(proxy.seen[3]).toBe(proxy.seen[2]);
        await runProcessing(db, clock.now(), { windowDays: 28 });
        const b = await snapshot(db);
        for (const day of DAYS.slice(-4))
          expect(b.records.get(`org:demo-labs|${day}`) ?? []).toEqual(
            snapA.records.get(`org:demo-labs|${day}`) ?? [],
          );
      } finally {
        await proxy.close();
      }
    });

    it("resumes after the upstream went away mid-way, with the same result", async () => {
      const proxy = await startLimitProxy(a.url);
      try {
        const { db, clock } = await fresh();
        proxy.cutAfter(60);
        const first = await syncInto(db, clock, proxy.url, { retries: 0 });
        expect(first.scopes.some((x) => x.error && /cannot reach|answered/.test(x.error))).toBe(true);
        const doneFirst = first.scopes.reduce((n, x) => n + x.days, 0);
        expect(doneFirst).toBeGreaterThan(0);
        expect(doneFirst).toBeLessThan(28 * SCOPES.length);
        const [{ n }] = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM sync_days")) as [
          { n: number },
        ];
        expect(n).toBe(doneFirst);

        proxy.cutAfter(null);
        const second = await syncInto(db, clock, proxy.url);
        expect(second.scopes.map((x) => x.error)).toEqual(SCOPES.map(() => null));
        const doneSecond = second.scopes.reduce((n, x) => n + x.days, 0);
        // Only what was missing, and the settling days again.
        expect(doneSecond).toBeLessThan(28 * SCOPES.length);
        expect(doneFirst + doneSecond).toBeGreaterThanOrEqual(28 * SCOPES.length);
        await runProcessing(db, clock.now(), { windowDays: 28 });
        compare(snapA, await snapshot(db), { teams: true });
      } finally {
        await proxy.close();
      }
    });

    it("a refused token is a clear error and stores nothing", async () => {
      const { db, clock } = await fresh();
      const err = await syncInto(db, clock, a.url, { token: "pl_not_a_token" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as Error).message).toMatch(
        /answered 401 .*token was refused; check --token, --token-file or GITHUB_TOKEN/,
      );
      expect((err as Error).message).not.toContain("pl_not_a_token");
      const [{ n }] = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM organizations")) as [
        { n: number },
      ];
      expect(n).toBe(0);
    });
  });
}

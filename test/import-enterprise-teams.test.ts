import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeSummary } from "../src/cli/import.js";
import type { Db } from "../src/db/db.js";
import { applyDirectoryText } from "../src/directory/apply.js";
import { runImport } from "../src/import/run.js";
import { databaseSink } from "../src/import/sink.js";
import { backends } from "./helpers/db.js";

/*
 * An enterprise's user-teams-1-day file lists every team of the enterprise scope a user is in: its organizations'
 * teams and its enterprise teams (spec/usage-metrics-reports.md, the user-team row). Imported under the enterprise,
 * a slug that is one of its organizations' teams makes no enterprise team; an enterprise team of that slug takes the
 * row; any other slug makes an enterprise team. Every expectation below is worked out by hand from that rule.
 */
const DAY = "2026-11-15";

const DIRECTORY = `
enterprises:
  - slug: acme
    owners: [boss]
    teams:
      - slug: guild
        members: [a1]
organizations:
  - login: acme-org
    enterprise: acme
    owners: [owner1]
    members: [a1, a2, a3, a4]
    seats: [a1, a2, a3, a4]
    teams:
      - slug: search
        members: [a1, a2]
      - slug: guild
        members: [a4]
`;

const entRow = (login: string, slug: string, teamId: number) => ({
  user_id: Number(login.slice(1)),
  user_login: login,
  day: DAY,
  enterprise_id: 900,
  team_id: teamId,
  slug,
});

/** Teams of the store as 'org-login/slug' and 'ent:slug', sorted. */
async function teams(db: Db): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT coalesce(o.login_lower || '/', 'ent:') || t.slug AS name FROM teams t
     LEFT JOIN organizations o ON o.id = t.org_id ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

/** Member logins of a team (directory and imported grants) on DAY. */
async function members(db: Db, kind: "team" | "eteam", slug: string): Promise<string[]> {
  const rows = await db.query<{ login: string }>(
    `SELECT DISTINCT u.login FROM grants g JOIN teams t ON t.id = g.scope_id JOIN users u ON u.id = g.user_id
     WHERE g.scope_kind = $1 AND t.slug = $2 AND g.role = 'member'
       AND (g.since IS NULL OR g.since <= $3::date) AND (g.until IS NULL OR g.until >= $3::date)
       AND ${kind === "team" ? "t.org_id" : "t.enterprise_id"} IS NOT NULL
     ORDER BY u.login`,
    [kind, slug, DAY],
  );
  return rows.map((r) => r.login);
}

for (const backend of backends) {
  describe(`enterprise user-teams rows on ${backend.name}`, () => {
    let dir: string;
    const opened: { drop(): Promise<void> }[] = [];
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "pilotlog-ent-teams-"));
    });
    afterAll(async () => {
      for (const o of opened) await o.drop();
      await rm(dir, { recursive: true, force: true });
    });

    async function file(name: string, rows: object[]): Promise<string> {
      const f = join(dir, `${backend.name}-${name}.ndjson`);
      await writeFile(f, rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
      return f;
    }

    it("an org team's slug makes no enterprise team; an enterprise team's slug, known or new, takes its rows", async () => {
      const { db, drop } = await backend.create();
      opened.push({ drop });
      await applyDirectoryText(db, DIRECTORY, "acme.yaml", { today: "2026-11-20", windowDays: 28 });
      expect(await teams(db)).toEqual(["acme-org/guild", "acme-org/search", "ent:guild"]);

      // search: an organization team (2 rows). platform: unknown anywhere, a new enterprise team (2 rows).
      // guild: both an enterprise team and an organization team; the enterprise team takes the row (1 row).
      const f = await file("ent", [
        entRow("a1", "guild", 31),
        entRow("a1", "platform", 32),
        entRow("a3", "platform", 32),
        entRow("a1", "search", 11),
        entRow("a2", "search", 11),
      ]);
      const s = await runImport([f], databaseSink(db, { org: null, enterprise: "acme" }));
      expect(s).toMatchObject({ problemCount: 0, teamRows: 3, teamsCreated: 1, orgTeamRows: 2, days: [DAY] });
      expect(await teams(db)).toEqual(["acme-org/guild", "acme-org/search", "ent:guild", "ent:platform"]);
      expect(await members(db, "eteam", "platform")).toEqual(["a1", "a3"]);
      expect(await members(db, "eteam", "guild")).toEqual(["a1"]);
      // The organization team keeps its directory members: the organization's own file places users there.
      expect(await members(db, "team", "search")).toEqual(["a1", "a2"]);
      expect(describeSummary(s, null)).toContain(
        "2 enterprise user-team row(s) were taken as organization teams",
      );

      // A re-import changes nothing.
      const again = await runImport([f], databaseSink(db, { org: null, enterprise: "acme" }));
      expect(again).toMatchObject({ teamRows: 3, teamsCreated: 0, orgTeamRows: 2 });
      expect(await teams(db)).toEqual(["acme-org/guild", "acme-org/search", "ent:guild", "ent:platform"]);
    });

    it("with no directory, an organization not yet linked counts when the row's user is its member that day", async () => {
      const { db, drop } = await backend.create();
      opened.push({ drop });
      // The organization's files first, with no enterprise_id: a member record of a1 and its team `search`.
      const org = await file("org", [
        { user_id: 1, user_login: "a1", day: DAY, organization_id: 100 },
        { user_id: 1, user_login: "a1", day: DAY, organization_id: 100, team_id: 11, slug: "search" },
      ]);
      const o = await runImport([org], databaseSink(db, { org: "acme-org", enterprise: null }));
      expect(o).toMatchObject({ problemCount: 0, records: 1, teamRows: 1, teamsCreated: 1 });
      // Then the enterprise's: `search` of a1 is the organization's team; `platform` an enterprise team.
      const ent = await file("ent-only", [entRow("a1", "platform", 32), entRow("a1", "search", 11)]);
      const e = await runImport([ent], databaseSink(db, { org: null, enterprise: "acme" }));
      expect(e).toMatchObject({ problemCount: 0, teamRows: 1, teamsCreated: 1, orgTeamRows: 1 });
      expect(await teams(db)).toEqual(["acme-org/search", "ent:platform"]);
      // A slug of an unlinked organization none of the rows' users is in is no team of this enterprise.
      const other = await file("ent-other", [entRow("a9", "search", 11)]);
      const x = await runImport([other], databaseSink(db, { org: null, enterprise: "acme" }));
      expect(x).toMatchObject({ teamRows: 1, teamsCreated: 1, orgTeamRows: 0 });
      expect(await teams(db)).toEqual(["acme-org/search", "ent:platform", "ent:search"]);
    });

    it("when sync says the directory holds all the enterprise's teams, any other slug makes no enterprise team", async () => {
      const { db, drop } = await backend.create();
      opened.push({ drop });
      await applyDirectoryText(db, DIRECTORY, "acme.yaml", { today: "2026-11-20", windowDays: 28 });
      // ml: a team of an organization of the enterprise this store does not hold (not synced).
      const f = await file("ent-complete", [
        entRow("a1", "guild", 31),
        entRow("a1", "ml", 40),
        entRow("a2", "ml", 40),
      ]);
      const s = await runImport(
        [f],
        databaseSink(db, { org: null, enterprise: "acme", enterpriseTeamsComplete: true }),
      );
      expect(s).toMatchObject({ problemCount: 0, teamRows: 1, teamsCreated: 0, orgTeamRows: 2 });
      expect(await teams(db)).toEqual(["acme-org/guild", "acme-org/search", "ent:guild"]);
    });
  });
}

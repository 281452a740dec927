import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../../test/helpers/db.js";
import type { Db } from "../db/db.js";
import { applyDirectoryText } from "./apply.js";

const OPTS = { today: "2026-11-20", windowDays: 28 };

const FILE = `
enterprises:
  - { slug: ent, name: Ent, copilot_metrics_policy: enabled, owners: [boss] }
organizations:
  - login: Org
    enterprise: ent
    members: [m1, m2, m3]
    seats: [m1, { login: m2, assigning_team: red }]
    teams:
      - { slug: red, members: [m1, m2] }
      - { slug: blue, members: [m3] }
users:
  - { login: m3, telemetry: false }
custom_models:
  - { name: acme-model, training_date: 2026-01-01, owner: org }
tokens:
  - { token: tok_store_classic, kind: classic, user: boss, scopes: [read:enterprise] }
  - { token: tok_store_app, kind: app_installation, resource_owner: org, permissions: { copilot_business: read } }
`;

/** Every row of the directory's tables with the transaction that last wrote it (PostgreSQL's xmin). */
async function written(db: Db): Promise<string[]> {
  const out: string[] = [];
  for (const table of [
    "enterprises",
    "organizations",
    "teams",
    "users",
    "user_telemetry",
    "grants",
    "custom_models",
    "tokens",
  ]) {
    const rows = await db.query<{ row: string }>(
      `SELECT xmin::text || ' ' || t::text AS row FROM ${table} t ORDER BY 1`,
    );
    out.push(...rows.map((r) => `${table} ${r.row}`));
  }
  return out;
}

for (const backend of backends) {
  describe(`applyDirectory on ${backend.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      ({ db, drop } = await backend.create());
    });
    afterAll(() => drop?.());

    it("writes nothing when the file matches the store", async () => {
      const first = await applyDirectoryText(db, FILE, "d.yaml", OPTS);
      expect(first.changed).toBe(true);
      const before = await written(db);
      const dirty = await db.query("SELECT day::text FROM dirty_days ORDER BY day");
      const again = await applyDirectoryText(db, FILE, "d.yaml", OPTS);
      expect(again.changed).toBe(false);
      expect(await written(db)).toEqual(before);
      expect(await db.query("SELECT day::text FROM dirty_days ORDER BY day")).toEqual(dirty);
    });

    it("stores a seat's new assigning team", async () => {
      const moved = FILE.replace("assigning_team: red", "assigning_team: blue");
      const report = await applyDirectoryText(db, moved, "d.yaml", OPTS);
      expect(report.grants).toEqual({ added: 1, removed: 1 });
      const [seat] = await db.query<{ slug: string }>(
        `SELECT t.slug FROM grants g JOIN users u ON u.id = g.user_id JOIN teams t ON t.id = g.team_id
         WHERE g.role = 'seat' AND u.login = 'm2'`,
      );
      expect(seat?.slug).toBe("blue");
      expect((await applyDirectoryText(db, moved, "d.yaml", OPTS)).changed).toBe(false);
    });

    it("removes exactly the grants and teams the file no longer lists, and records telemetry changes from today", async () => {
      // m1 leaves team red, team blue goes, m3 turns telemetry on.
      const next = FILE.replace("{ slug: red, members: [m1, m2] }", "{ slug: red, members: [m2] }")
        .replace("      - { slug: blue, members: [m3] }\n", "")
        .replace("{ login: m3, telemetry: false }", "{ login: m3, telemetry: true }");
      const report = await applyDirectoryText(db, next, "d.yaml", OPTS);
      expect(report.teams).toEqual({ created: 0, updated: 0, removed: 1 });
      // m1 out of red; m2's seat back from blue to red (one removed, one added); blue's m3 went with the team.
      expect(report.grants).toEqual({ added: 1, removed: 2 });
      expect(report.users).toEqual({ created: 0, telemetryChanged: 1 });
      expect(
        await db.query(
          `SELECT g.scope_kind, g.role, u.login FROM grants g JOIN users u ON u.id = g.user_id
           WHERE g.scope_kind = 'team' ORDER BY u.login`,
        ),
      ).toEqual([{ scope_kind: "team", role: "member", login: "m2" }]);
      expect(
        await db.query(
          "SELECT u.login, t.from_day::text, t.enabled FROM user_telemetry t JOIN users u ON u.id = t.user_id ORDER BY t.from_day",
        ),
        // The first change also keeps the setting it replaced, for every earlier day (directory/telemetry.ts).
      ).toEqual([
        { login: "m3", from_day: "-infinity", enabled: false },
        { login: "m3", from_day: "2026-11-20", enabled: true },
      ]);
    });
  });
}

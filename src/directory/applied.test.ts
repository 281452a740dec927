/**
 * The shortcut of a repeated apply (applied.ts): the file last applied is neither parsed nor compared again while
 * nothing else wrote to the directory, and is compared in full (so the store ends as the file says) as soon as
 * anything did: another writer, SQL by hand, a rolled-back apply.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { backends } from "../../test/helpers/db.js";
import type { Db } from "../db/db.js";
import { PostgresDb } from "../db/postgres.js";
import { applyDirectoryText } from "./apply.js";
import { DirectoryFileError, parseDirectoryFile } from "./file.js";
import { applyDirectory, knownNames } from "./store.js";
import { revokeToken } from "./token-store.js";
import { hashToken } from "./tokens.js";

const OPTS = { today: "2026-11-20", windowDays: 28 };

// m9 is in team red without being a member of org: a warning, not a problem.
const FILE = `
organizations:
  - login: org
    members: [m1, m2]
    seats: [m1]
    teams:
      - { slug: red, members: [m1, m9] }
users:
  - { login: m2, telemetry: false }
tokens:
  - { token: tok_applied_classic, kind: classic, user: m1, scopes: [read:org] }
`;

const count = async (db: Db, sql: string) => Number((await db.query<{ n: number }>(sql))[0]!.n);
const logged = (db: Db) => count(db, "SELECT count(*)::int AS n FROM directory_writes");

for (const backend of backends) {
  describe(`a repeated apply on ${backend.name}`, () => {
    let db: Db;
    let url: string | null;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      ({ db, url, drop } = await backend.create());
    });
    afterAll(() => drop?.());
    beforeEach(async () => {
      await applyDirectoryText(db, FILE, "d.yaml", OPTS);
    });

    it("answers from the last apply: nothing changed, the same warnings under the new name, refused when strict", async () => {
      expect(await logged(db)).toBe(0);
      const again = await applyDirectoryText(db, FILE, "again.yaml", OPTS);
      expect(again.changed).toBe(false);
      expect(again.warnings).toEqual([
        expect.objectContaining({ file: "again.yaml", path: "organizations[0].teams[0].members[1]" }),
      ]);
      await expect(applyDirectoryText(db, FILE, "s.yaml", { ...OPTS, strict: true })).rejects.toThrow(
        DirectoryFileError,
      );
      await expect(applyDirectoryText(db, FILE, "s.yaml", { ...OPTS, strict: true })).rejects.toThrow(
        /^s\.yaml: organizations\[0\]\.teams\[0\]\.members\[1\]: m9 is in team red/,
      );
    });

    it("compares again after another writer: a revoked token, a grant deleted by hand, telemetry flipped by hand", async () => {
      await db.transaction((tx) =>
        revokeToken(tx, hashToken("tok_applied_classic"), new Date()).then(() => undefined),
      );
      await db.query("DELETE FROM grants WHERE role = 'seat'");
      await db.query("UPDATE users SET telemetry = true WHERE login = 'm2'");
      expect(await logged(db)).toBeGreaterThan(0);
      const report = await applyDirectoryText(db, FILE, "d.yaml", OPTS);
      expect(report.tokens).toEqual({ created: 0, updated: 1 });
      expect(report.grants).toEqual({ added: 1, removed: 0 });
      expect(report.users.telemetryChanged).toBe(1);
      expect(await logged(db)).toBe(0);
      expect((await applyDirectoryText(db, FILE, "d.yaml", OPTS)).changed).toBe(false);
    });

    it("is not disturbed by users that ingest creates", async () => {
      await db.query("INSERT INTO users (login, login_lower) VALUES ('newcomer', 'newcomer')");
      expect(await logged(db)).toBe(0);
      expect((await applyDirectoryText(db, FILE, "d.yaml", OPTS)).changed).toBe(false);
    });

    it("compares again after an apply that was rolled back, and after an apply's transaction wrote more", async () => {
      const other = FILE.replace("seats: [m1]", "seats: [m1, m2]");
      await expect(
        db.transaction(async (tx) => {
          const file = parseDirectoryFile(other, "o.yaml", await knownNames(tx));
          await applyDirectory(tx, file, OPTS);
          throw new Error("rolled back");
        }),
      ).rejects.toThrow("rolled back");
      expect((await applyDirectoryText(db, FILE, "d.yaml", OPTS)).changed).toBe(false);
      await db.transaction(async (tx) => {
        const file = parseDirectoryFile(FILE, "d.yaml", await knownNames(tx));
        expect((await applyDirectory(tx, file, OPTS)).changed).toBe(false);
        await tx.query("DELETE FROM grants WHERE role = 'seat'");
      });
      expect((await applyDirectoryText(db, FILE, "d.yaml", OPTS)).grants).toEqual({ added: 1, removed: 0 });
    });

    it("takes the same file written differently (the model's hash) without comparing, and a changed file in full", async () => {
      const json = JSON.stringify({
        organizations: [
          {
            login: "org",
            members: ["m1", "m2"],
            seats: ["m1"],
            teams: [{ slug: "red", members: ["m1", "m9"] }],
          },
        ],
        users: [{ login: "m2", telemetry: false }],
        tokens: [{ token: "tok_applied_classic", kind: "classic", user: "m1", scopes: ["read:org"] }],
      });
      const same = await applyDirectoryText(db, json, "d.json", OPTS);
      expect(same.changed).toBe(false);
      expect(same.warnings).toHaveLength(1);
      const changed = await applyDirectoryText(
        db,
        FILE.replace("seats: [m1]", "seats: [m2]"),
        "d.yaml",
        OPTS,
      );
      expect(changed.grants).toEqual({ added: 1, removed: 1 });
    });

    if (backend.name === "postgres") {
      it("creates users another transaction creates meanwhile once, and takes their ids", async () => {
        const other = await PostgresDb.open(url!);
        try {
          let commit!: () => void;
          const gate = new Promise<void>((r) => {
            commit = r;
          });
          let inserted!: () => void;
          const started = new Promise<void>((r) => {
            inserted = r;
          });
          const writer = other.transaction(async (tx) => {
            await tx.query("INSERT INTO users (login, login_lower) VALUES ('racer', 'racer')");
            inserted();
            await gate;
          });
          await started;
          const apply = applyDirectoryText(
            db,
            FILE.replace("users:", "users:\n  - { login: racer }"),
            "d.yaml",
            OPTS,
          );
          // The apply's INSERT waits for the writer's uncommitted row of the same login.
          for (let i = 0; i < 200; i++) {
            const waiting = await count(
              other,
              "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO users%'",
            );
            if (waiting > 0) break;
            await new Promise((r) => setTimeout(r, 25));
          }
          commit();
          await writer;
          const report = await apply;
          expect(report.users.created).toBe(0);
          expect(await count(db, "SELECT count(*)::int AS n FROM users WHERE login_lower = 'racer'")).toBe(1);
        } finally {
          await other.close();
        }
      });
    }
  });
}

import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/db/db.js";
import { runImport } from "../src/import/run.js";
import { databaseSink } from "../src/import/sink.js";
import { processDay } from "../src/rollup/process.js";
import { backends } from "./helpers/db.js";

// Retention (spec: imported days follow --retention-days like the reports). With NOW = 2026-03-31 and 30 days kept,
// the first day kept is 2026-03-01: an import of 2026-01-15 and 2026-02-28 is pruned by the next processing run, one
// of 2026-03-01 and 2026-03-30 stays.
const NOW = new Date("2026-03-31T12:00:00Z");
const OLD = ["2026-01-15", "2026-02-28"];
const KEPT = ["2026-03-01", "2026-03-30"];

const record = (day: string, login: string) =>
  JSON.stringify({
    user_id: 1,
    user_login: login,
    day,
    organization_id: "7",
    user_initiated_interaction_count: 1,
    code_generation_activity_count: 2,
    code_acceptance_activity_count: 1,
    totals_by_ide: [
      {
        ide: "vscode",
        user_initiated_interaction_count: 1,
        code_generation_activity_count: 2,
        code_acceptance_activity_count: 1,
      },
    ],
    totals_by_feature: [
      { feature: "code_completion", code_generation_activity_count: 2, code_acceptance_activity_count: 1 },
      { feature: "chat_panel_ask_mode", user_initiated_interaction_count: 1 },
    ],
  });

for (const backend of backends) {
  describe(`import retention on ${backend.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      ({ db, drop } = await backend.create());
    });
    afterAll(() => drop());

    const daysOf = async (table: string) =>
      (await db.query<{ day: string }>(`SELECT DISTINCT day FROM ${table} ORDER BY day`)).map((r) => r.day);

    it("prunes imported records and facts of days before --retention-days when a day is processed, keeps the rest", async () => {
      const dir = await mkdtemp(join(tmpdir(), "pilotlog-import-prune-"));
      const file = join(dir, "users.ndjson");
      await writeFile(
        file,
        `${[...OLD, ...KEPT].flatMap((d) => [record(d, "mona"), record(d, "hubot")]).join("\n")}\n`,
      );
      const s = await runImport([file], databaseSink(db, { org: "octo-org", enterprise: null }));
      expect(s).toMatchObject({ records: 8, problemCount: 0, days: [...OLD, ...KEPT] });
      expect(await daysOf("imported_records")).toEqual([...OLD, ...KEPT]);
      expect(await daysOf("imported_facts")).toEqual([...OLD, ...KEPT]);

      await processDay(db, "2026-03-30", NOW, { retentionDays: 30 });

      expect(await daysOf("imported_records")).toEqual(KEPT);
      expect(await daysOf("imported_facts")).toEqual(KEPT);
      const kept = await db.query<{ login: string }>(
        "SELECT login FROM imported_records WHERE day = '2026-03-30' ORDER BY login",
      );
      expect(kept.map((r) => r.login)).toEqual(["hubot", "mona"]);
      // The processed day still serves the imported records as they came.
      const served = await db.query<{ body: string }>(
        "SELECT body FROM user_day_records WHERE day = '2026-03-30' ORDER BY login",
      );
      expect(served.map((r) => r.body)).toEqual([
        record("2026-03-30", "hubot"),
        record("2026-03-30", "mona"),
      ]);
      // The scope mapping is not by day and stays.
      expect(await db.query("SELECT kind, upstream_id FROM import_scopes")).toEqual([
        { kind: "org", upstream_id: "7" },
      ]);
    });
  });
}

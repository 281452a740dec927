import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/db/db.js";
import { runImport } from "../src/import/run.js";
import { databaseSink, storeBatch } from "../src/import/sink.js";
import { processDay } from "../src/rollup/process.js";
import { backends } from "./helpers/db.js";

// Every expected document below is worked out by hand from spec/usage-reports-import.md.

const EXAMPLE = join(import.meta.dirname, "fixtures", "import", "github-example.json");
const NOW = new Date("2025-10-10T12:00:00Z");

async function docs(db: Db, day: string): Promise<Record<string, unknown>[]> {
  const rows = await db.query<{ body: string }>(
    "SELECT body FROM day_documents WHERE day = $1 ORDER BY scope",
    [day],
  );
  return rows.map((r) => JSON.parse(r.body) as Record<string, unknown>);
}
const records = (db: Db, day: string) =>
  db.query<{ body: string }>("SELECT body FROM user_day_records WHERE day = $1 ORDER BY login", [day]);

const counters = (uic: number, gen: number, acc: number, sug: number, add: number) => ({
  user_initiated_interaction_count: uic,
  code_generation_activity_count: gen,
  code_acceptance_activity_count: acc,
  loc_suggested_to_add_sum: sug,
  loc_suggested_to_delete_sum: 0,
  loc_added_sum: add,
  loc_deleted_sum: 0,
});

for (const backend of backends) {
  describe(`import on ${backend.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    let dir: string;
    beforeAll(async () => {
      ({ db, drop } = await backend.create());
      dir = await mkdtemp(join(tmpdir(), "pilotlog-import-"));
    });
    afterAll(() => drop());

    it("imports GitHub's documented example record and rebuilds the legacy document worked out by hand", async () => {
      const sink = databaseSink(db, { org: null, enterprise: "octo-ent" });
      const s = await runImport([EXAMPLE], sink);
      expect(s).toMatchObject({
        records: 1,
        users: 1,
        days: ["2025-10-01"],
        splitUserDays: 0,
        problemCount: 0,
      });
      expect(sink.created()).toEqual({ users: 1, orgs: 0, enterprises: 1 });
      await processDay(db, "2025-10-01", NOW);
      // Active: the record exists. Engaged: 1 acceptance. Completions: the code_completion language row (vscode, the
      // record's only IDE; model default). No IDE chat rows; github.com chat and PR summaries are not in reports.
      expect(await docs(db, "2025-10-01")).toEqual([
        {
          date: "2025-10-01",
          total_active_users: 1,
          total_engaged_users: 1,
          copilot_ide_code_completions: {
            total_engaged_users: 1,
            languages: [{ name: "unknown", total_engaged_users: 1 }],
            editors: [
              {
                name: "vscode",
                total_engaged_users: 1,
                models: [
                  {
                    name: "default",
                    is_custom_model: false,
                    custom_model_training_date: null,
                    total_engaged_users: 1,
                    languages: [
                      {
                        name: "unknown",
                        total_engaged_users: 1,
                        total_code_suggestions: 1,
                        total_code_acceptances: 1,
                        total_code_lines_suggested: 10,
                        total_code_lines_accepted: 8,
                      },
                    ],
                  },
                ],
              },
            ],
          },
          copilot_ide_chat: { total_engaged_users: 0 },
          copilot_dotcom_chat: { total_engaged_users: 0 },
          copilot_dotcom_pull_requests: { total_engaged_users: 0 },
        },
      ]);
      // The record is re-served as it came (the file's one element, keys in their order).
      const [example] = JSON.parse(await readFile(EXAMPLE, "utf8")) as unknown[];
      const served = await records(db, "2025-10-01");
      expect(served.map((r) => r.body)).toEqual([JSON.stringify(example)]);
    });

    it("apportions a multi-IDE user-day over the IDEs by generations with largest-remainder rounding", async () => {
      const day = "2025-10-02";
      const line = {
        day,
        enterprise_id: "1",
        user_id: 2,
        user_login: "octocat",
        ...counters(0, 4, 2, 10, 5),
        totals_by_ide: [
          { ide: "vscode", ...counters(0, 3, 1, 7, 4) },
          { ide: "jetbrains", ...counters(0, 1, 1, 3, 1) },
        ],
        totals_by_feature: [{ feature: "code_completion", ...counters(0, 4, 2, 10, 5) }],
        totals_by_language_feature: [
          { language: "python", feature: "code_completion", ...counters(0, 4, 2, 10, 5) },
        ],
      };
      const file = join(dir, "multi.ndjson.gz");
      await writeFile(file, gzipSync(`${JSON.stringify(line)}\n`));
      const s = await runImport([file], databaseSink(db, { org: null, enterprise: null }));
      expect(s).toMatchObject({ records: 1, splitUserDays: 1, problemCount: 0 });
      await processDay(db, day, NOW);
      const [doc] = await docs(db, day);
      // Weights jetbrains 1, vscode 3 (generations; IDEs in code-point order, ties to the earlier):
      // suggestions 4 → 1 | 3; acceptances 2 → 0.5 | 1.5 → 1 | 1; lines suggested 10 → 2.5 | 7.5 → 3 | 7;
      // lines accepted 5 → 1.25 | 3.75 → 1 | 4. Both IDEs had an acceptance: engaged in both.
      const leaf = (name: string, sug: number, acc: number, ls: number, la: number) => ({
        name,
        total_engaged_users: 1,
        models: [
          {
            name: "default",
            is_custom_model: false,
            custom_model_training_date: null,
            total_engaged_users: 1,
            languages: [
              {
                name: "python",
                total_engaged_users: 1,
                total_code_suggestions: sug,
                total_code_acceptances: acc,
                total_code_lines_suggested: ls,
                total_code_lines_accepted: la,
              },
            ],
          },
        ],
      });
      expect(doc).toMatchObject({
        total_active_users: 1,
        total_engaged_users: 1,
        copilot_ide_code_completions: {
          total_engaged_users: 1,
          languages: [{ name: "python", total_engaged_users: 1 }],
          editors: [leaf("jetbrains", 1, 1, 3, 1), leaf("vscode", 3, 1, 7, 4)],
        },
      });
    });

    it("keeps an unknown feature and unknown keys in the re-served record, and reports them", async () => {
      const day = "2025-10-03";
      const raw = `{"day":"${day}","enterprise_id":"1","user_id":3,"user_login":"hubot","user_initiated_interaction_count":2,"totals_by_feature":[{"feature":"copilot_space","user_initiated_interaction_count":2}],"ai_credits_used":1.5,"future_thing":{"a":[1,2]}}`;
      const file = join(dir, "unknown.ndjson");
      await writeFile(file, `${raw}\n`);
      const s = await runImport([file], databaseSink(db, { org: null, enterprise: null }));
      expect(s.unknownFeatures).toEqual({ copilot_space: 1 });
      expect(s.unknownKeys).toEqual({ ai_credits_used: 1, future_thing: 1 });
      await processDay(db, day, NOW);
      expect((await records(db, day)).map((r) => r.body)).toEqual([raw]);
      // Not counted into any legacy feature, but the user is active and (2 prompts) engaged.
      expect(await docs(db, day)).toEqual([
        {
          date: day,
          total_active_users: 1,
          total_engaged_users: 1,
          copilot_ide_code_completions: { total_engaged_users: 0 },
          copilot_ide_chat: { total_engaged_users: 0 },
          copilot_dotcom_chat: { total_engaged_users: 0 },
          copilot_dotcom_pull_requests: { total_engaged_users: 0 },
        },
      ]);
    });

    it("reports bad lines with file, line and reason, imports the rest, and replaces on re-import", async () => {
      const day = "2025-10-04";
      const good = (login: string, acc: number) =>
        JSON.stringify({ day, enterprise_id: "1", user_login: login, code_acceptance_activity_count: acc });
      const file = join(dir, "bad.ndjson");
      await writeFile(
        file,
        [
          good("a1", 1),
          "{not json",
          JSON.stringify({ day, enterprise_id: "1" }),
          JSON.stringify({ day, enterprise_id: "1", user_login: "neg", loc_added_sum: -3 }),
          JSON.stringify({ enterprise_id: "1", user_login: "noday" }),
          good("a2", 1),
        ].join("\n"),
      );
      const s = await runImport([file], databaseSink(db, { org: null, enterprise: null }));
      expect(s.records).toBe(2);
      expect(s.problems.map((p) => `${p.where}: ${p.reason.replace(/ \(.*$/, "")}`)).toEqual([
        `${file}:2: not JSON`,
        `${file}:3: user_login: missing`,
        `${file}:4: loc_added_sum: is negative`,
        `${file}:5: day: missing`,
      ]);
      // Re-import with a2 changed: a2's record is replaced, a1's kept.
      await writeFile(file, `${good("a2", 0)}\n`);
      await runImport([file], databaseSink(db, { org: null, enterprise: null }));
      await processDay(db, day, NOW);
      expect((await records(db, day)).map((r) => r.body)).toEqual([good("a1", 1), good("a2", 0)]);
      const [doc] = await docs(db, day);
      expect(doc).toMatchObject({ total_active_users: 2, total_engaged_users: 1 });
      const dirty = await db.query<{ day: string }>("SELECT day FROM dirty_days WHERE day = $1", [day]);
      expect(dirty).toEqual([]);
    });

    it("takes the later of a record listed twice in one file, as a re-import would, instead of failing", async () => {
      const day = "2025-10-05";
      const rec = (acc: number) =>
        JSON.stringify({
          day,
          enterprise_id: "1",
          user_login: "twice",
          ...counters(0, acc, acc, acc, acc),
          totals_by_feature: [{ feature: "code_completion", ...counters(0, acc, acc, acc, acc) }],
        });
      const file = join(dir, "twice.ndjson");
      await writeFile(file, `${rec(1)}\n${rec(3)}\n`);
      const s = await runImport([file], databaseSink(db, { org: null, enterprise: null }));
      expect(s.problems).toEqual([]);
      expect(s.users).toBe(1);
      await processDay(db, day, NOW);
      expect((await records(db, day)).map((r) => r.body)).toEqual([rec(3)]);
      // The later record's completions only: 3 accepted, not 1 + 3.
      const [doc] = await docs(db, day);
      expect(doc).toMatchObject({ total_active_users: 1 });
      const completions = doc!.copilot_ide_code_completions as {
        editors: { models: { languages: { total_code_acceptances: number }[] }[] }[];
      };
      expect(completions.editors[0]!.models[0]!.languages.map((l) => l.total_code_acceptances)).toEqual([3]);
      const [facts] = await db.query<{ n2: string }>(
        "SELECT sum(n2)::text AS n2 FROM imported_facts WHERE day = $1 AND feature = 'completion'",
        [day],
      );
      expect(facts!.n2).toBe("3");
    });

    it("keeps a user-day's facts from the first scope imported when a batch mixes known and new users", async () => {
      const day = "2025-10-06";
      const rec = (scope: Record<string, string>, login: string, acc: number) =>
        JSON.stringify({
          day,
          ...scope,
          user_login: login,
          ...counters(0, acc, acc, acc, acc),
          totals_by_feature: [{ feature: "code_completion", ...counters(0, acc, acc, acc, acc) }],
        });
      const orgFile = join(dir, "mixed-org.ndjson");
      const entFile = join(dir, "mixed-ent.ndjson");
      await writeFile(orgFile, `${rec({ organization_id: "77" }, "known1", 2)}\n`);
      // The enterprise's file: known1 again (its facts stay the organization's), fresh1 new in this batch.
      await writeFile(
        entFile,
        `${rec({ enterprise_id: "1" }, "known1", 5)}\n${rec({ enterprise_id: "1" }, "fresh1", 7)}\n`,
      );
      await runImport([orgFile], databaseSink(db, { org: "mixed-org", enterprise: null }));
      await runImport([entFile], databaseSink(db, { org: null, enterprise: "octo-ent" }));
      const facts = await db.query<{ login: string; n2: string; scopes: string }>(
        `SELECT u.login, sum(f.n2)::text AS n2, count(DISTINCT f.scope)::text AS scopes
           FROM imported_facts f JOIN users u ON u.id = f.user_id
          WHERE f.day = $1 AND f.feature = 'completion' GROUP BY u.login ORDER BY u.login`,
        [day],
      );
      // Hand-worked: known1 2 accepted (the organization's record, imported first), not 2 + 5; fresh1 7.
      expect(facts).toEqual([
        { login: "fresh1", n2: "7", scopes: "1" },
        { login: "known1", n2: "2", scopes: "1" },
      ]);
    });

    it("stores a body holding a raw U+001F as it came, first and again (the INSERT path on both engines)", async () => {
      const day = "2025-10-07";
      const body = `{"day":"${day}","user_login":"unit","note":"a\u001fb"}`;
      const batch = {
        names: { org: "octo-unit", enterprise: null },
        records: [
          {
            kind: "org" as const,
            upstreamId: "u1",
            upstreamEnterprise: null,
            login: "unit",
            day,
            body,
            facts: [],
            split: false,
          },
        ],
      };
      // On PostgreSQL the first goes in by COPY, the second (a re-import) by INSERT … ON CONFLICT.
      await storeBatch(db, batch);
      await storeBatch(db, batch);
      const rows = await db.query<{ body: string }>("SELECT body FROM imported_records WHERE day = $1", [
        day,
      ]);
      expect(rows).toEqual([{ body }]);
    });

    it("refuses a file whose organization it cannot place, naming the flag, and stores nothing of it", async () => {
      const file = join(dir, "org.ndjson");
      await writeFile(
        file,
        `${JSON.stringify({ day: "2025-10-05", organization_id: "99", user_login: "x" })}\n`,
      );
      const s = await runImport([file], databaseSink(db, { org: null, enterprise: null }));
      expect(s.records).toBe(0);
      expect(s.problems[0]?.reason).toMatch(/organization_id 99 is not known here: pass --org LOGIN/);
    });
  });
}

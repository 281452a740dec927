import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY, seed, TODAY } from "../bench/world.js";
import type { Db } from "../src/db/db.js";
import { runImport } from "../src/import/run.js";
import { databaseSink } from "../src/import/sink.js";
import { processDay } from "../src/rollup/process.js";
import { backends } from "./helpers/db.js";

// The round trip of spec/usage-reports-import.md, at the file level: world A's users-1-day records (the bytes its
// users-1-day file holds) imported into an empty B, then processed in B.

const NOW = new Date(`${TODAY}T06:00:00Z`);

async function orgScope(db: Db, login: string): Promise<string> {
  const [o] = await db.query<{ id: number }>("SELECT id FROM organizations WHERE login = $1", [login]);
  return `org:${o!.id}`;
}

for (const backend of backends) {
  describe(`import round trip on ${backend.name}`, () => {
    let a: Awaited<ReturnType<typeof backend.create>>;
    let b: Awaited<ReturnType<typeof backend.create>>;
    beforeAll(async () => {
      a = await backend.create();
      b = await backend.create();
    }, 120_000);
    afterAll(async () => {
      await a.drop();
      await b.drop();
    });

    it("gives B the same users-1-day records as A and the same exact legacy fields", {
      timeout: 120_000,
    }, async () => {
      await seed(a.db, 90);
      await processDay(a.db, DAY, NOW);
      const scopeA = await orgScope(a.db, "bench-a");
      const recordsA = await a.db.query<{ body: string }>(
        "SELECT body FROM user_day_records WHERE scope = $1 AND day = $2 ORDER BY login",
        [scopeA, DAY],
      );
      expect(recordsA.length).toBeGreaterThan(5);
      const dir = await mkdtemp(join(tmpdir(), "pilotlog-roundtrip-"));
      const file = join(dir, "users-1-day.ndjson");
      await writeFile(file, recordsA.map((r) => `${r.body}\n`).join(""));

      const s = await runImport([file], databaseSink(b.db, { org: "bench-a", enterprise: null }));
      expect(s.problemCount).toBe(0);
      expect(s.records).toBe(recordsA.length);
      await processDay(b.db, DAY, NOW);
      const scopeB = await orgScope(b.db, "bench-a");
      const recordsB = await b.db.query<{ body: string }>(
        "SELECT body FROM user_day_records WHERE scope = $1 AND day = $2 ORDER BY login",
        [scopeB, DAY],
      );
      expect(recordsB.map((r) => r.body)).toEqual(recordsA.map((r) => r.body));

      const doc = async (db: Db, scope: string) => {
        const [d] = await db.query<{ body: string }>(
          "SELECT body FROM day_documents WHERE scope = $1 AND day = $2",
          [scope, DAY],
        );
        return JSON.parse(d!.body) as Record<string, unknown>;
      };
      const docA = await doc(a.db, scopeA);
      const docB = await doc(b.db, scopeB);
      // Exact per the spec: active users (every active user of A had a record: the world's users all use an IDE
      // or the CLI) and completions per language, editor and model on single-IDE days.
      expect(s.splitUserDays).toBe(0);
      expect(docB.total_active_users).toBe(docA.total_active_users);
      expect(docB.copilot_ide_code_completions).toEqual(docA.copilot_ide_code_completions);
      // Lost, as documented: github.com chat and pull-request summaries.
      expect(docB.copilot_dotcom_chat).toEqual({ total_engaged_users: 0 });
      expect(docB.copilot_dotcom_pull_requests).toEqual({ total_engaged_users: 0 });
    });
  });
}

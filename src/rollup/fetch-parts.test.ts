import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY, seed, TODAY } from "../../bench/world.js";
import { backends } from "../../test/helpers/db.js";
import type { Db } from "../db/db.js";
import { processDay } from "./process.js";

/*
 * A day is read through a cursor a fetch at a time, and each fetch brings its own users' logins and versions (a
 * user's facts may straddle two fetches). Whatever the fetch size, the day's stored outputs are the same.
 */
const OUTPUTS = {
  day_documents: "SELECT scope, body FROM day_documents WHERE day = $1 ORDER BY scope",
  user_day_records: "SELECT * FROM user_day_records WHERE day = $1 ORDER BY 1, 2, 3",
  user_team_days: "SELECT * FROM user_team_days WHERE day = $1 ORDER BY 1, 2, 3",
  report_days: "SELECT * FROM report_days WHERE day = $1 ORDER BY 1, 2, 3",
};

for (const backend of backends) {
  describe(`processing a day in fetches on ${backend.name}`, { timeout: 120_000 }, () => {
    let db: Db;
    let drop: () => Promise<void>;
    const now = new Date(`${TODAY}T00:10:00Z`);

    beforeAll(async () => {
      ({ db, drop } = await backend.create());
      await seed(db, 6_000);
    });
    afterAll(() => drop());

    async function outputs(): Promise<Record<string, string>> {
      const out: Record<string, string> = {};
      for (const [table, sql] of Object.entries(OUTPUTS))
        out[table] = JSON.stringify(await db.query(sql, [DAY]));
      return out;
    }

    it("stores the same documents, records, team rows and aggregates with fetches of 997 facts as in one fetch", async () => {
      const whole = await processDay(db, DAY, now);
      expect(whole.facts).toBeGreaterThan(997 * 10);
      const once = await outputs();
      // Each user is in one of the three organizations; 1,000 teams of 6-12 (above the threshold); no enterprise.
      expect(JSON.parse(once.user_day_records!)).toHaveLength(6_000);
      expect(JSON.parse(once.user_team_days!).length).toBeGreaterThan(0);
      expect(JSON.parse(once.report_days!).length).toBeGreaterThan(0);
      const parted = await processDay(db, DAY, now, { factsPerFetch: 997 });
      expect(parted.facts).toBe(whole.facts);
      expect(await outputs()).toEqual(once);
    });
  });
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../../test/helpers/db.js";
import { type Harness, startHarness } from "../../test/helpers/harness.js";
import { runProcessing } from "../rollup/run.js";

const DIRECTORY = `
organizations:
  - login: octo
    members: [mona]
tokens:
  - { token: tok_relay, kind: ingest }
`;
const completion = (id: string, day: string) => ({
  id,
  type: "completion.suggested",
  user: "mona",
  timestamp: `${day}T10:00:00Z`,
  editor: "vscode",
  language: "typescript",
  lines: 1,
});

for (const backend of backends) {
  describe(`forgetting ingestion state past the window on ${backend.name}`, () => {
    let h: Harness;
    const count = async (from: string) =>
      Number((await h.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${from}`))[0]!.n);
    beforeAll(async () => {
      // A 3-day window: on 2026-11-20 events of 2026-11-17 on are accepted (the 3 closed days and today).
      h = await startHarness(backend, "2026-11-20T12:00:00Z", 3);
      await h.apply(DIRECTORY);
    });
    afterAll(() => h?.close());

    it("drops the ids and cardinality values of days no event can be accepted for, and only those", async () => {
      const sent = await h.send("tok_relay", [
        completion("e-18", "2026-11-18"),
        completion("e-19", "2026-11-19"),
        completion("e-20", "2026-11-20"),
      ]);
      expect(sent.body).toMatchObject({ accepted: 3 });
      expect(await count("event_ids")).toBe(3);
      expect(await count("user_day_values WHERE day < '2026-11-20'")).toBeGreaterThan(0);
      const kept = await count("user_day_values WHERE day >= '2026-11-20'");

      // Three days on, the window is 2026-11-20 … 2026-11-22: the 18th and 19th can no longer be sent.
      h.clock.set("2026-11-23T12:00:00Z");
      await runProcessing(h.db, h.clock.now(), { windowDays: 3 });
      const days = await h.db.query<{ day: string }>("SELECT day::text AS day FROM event_ids");
      expect(days.map((r) => r.day)).toEqual(["2026-11-20"]);
      expect(await count("user_day_values WHERE day < '2026-11-20'")).toBe(0);
      expect(await count("user_day_values WHERE day >= '2026-11-20'")).toBe(kept);

      // The kept day still deduplicates a retry; a forgotten day's event is refused as too old, never counted twice.
      const retry = await h.send("tok_relay", [
        completion("e-20", "2026-11-20"),
        completion("e-18", "2026-11-18"),
      ]);
      expect(retry.body).toMatchObject({ accepted: 0, duplicates: 1 });
      expect((retry.body.rejected as { index: number; message: string }[]).map((r) => r.index)).toEqual([1]);
    });
  });
}

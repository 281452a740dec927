import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../../test/helpers/db.js";
import type { Db } from "../db/db.js";
import { applyDirectoryText } from "../directory/apply.js";
import { ManualClock } from "../util/clock.js";
import { Scheduler } from "./scheduler.js";

const silent = { debug() {}, info() {}, error() {} } as unknown as ConstructorParameters<typeof Scheduler>[3];

for (const backend of backends) {
  describe(`scheduler on ${backend.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    const clock = new ManualClock(new Date("2026-11-20T00:01:00Z"));
    const days = async () =>
      (await db.query<{ day: string }>("SELECT day FROM processed_days ORDER BY day")).map((r) => r.day);

    beforeAll(async () => {
      ({ db, drop } = await backend.create());
    });
    afterAll(() => drop());

    it("catches up on missed days at start, but processes yesterday only after the daily time", async () => {
      const s = new Scheduler(db, clock, { windowDays: 5, processAtMinutes: 5, reprocessEveryMs: 0 }, silent);
      const first = await s.tick();
      expect(first.map((r) => r.day)).toEqual(["2026-11-15", "2026-11-16", "2026-11-17", "2026-11-18"]);
      clock.set("2026-11-20T00:05:00Z");
      expect((await s.tick()).map((r) => r.day)).toEqual(["2026-11-19"]);
      expect(await s.tick()).toEqual([]);
      expect(await days()).toEqual(["2026-11-15", "2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"]);
    });

    it("reprocesses dirty days at the next daily run when periodic reprocessing is off", async () => {
      const s = new Scheduler(db, clock, { windowDays: 5, processAtMinutes: 5, reprocessEveryMs: 0 }, silent);
      await s.tick(); // today's daily run already happened in this scheduler's view
      await applyDirectoryText(
        db,
        "organizations:\n  - login: o\n    members: [{ login: u, since: 2026-11-18 }]\n",
        "d.yaml",
        {
          today: "2026-11-20",
          windowDays: 5,
        },
      );
      expect(await s.tick()).toEqual([]);
      clock.set("2026-11-21T00:06:00Z");
      expect((await s.tick()).map((r) => r.day)).toEqual(["2026-11-18", "2026-11-19", "2026-11-20"]);
    });

    it("reprocesses dirty days every reprocessEveryMs of the injected clock", async () => {
      clock.set("2026-11-21T09:00:00Z");
      const s = new Scheduler(
        db,
        clock,
        { windowDays: 5, processAtMinutes: 5, reprocessEveryMs: 60_000 },
        silent,
      );
      await s.tick();
      await db.query("INSERT INTO dirty_days (day, reason) VALUES ('2026-11-17', 'test')");
      clock.set("2026-11-21T09:00:59Z");
      expect(await s.tick()).toEqual([]);
      clock.set("2026-11-21T09:01:00Z");
      expect((await s.tick()).map((r) => r.day)).toEqual(["2026-11-17"]);
      // A clock moved back (a sandbox's) starts a new period rather than waiting for the old one to come round.
      await db.query("INSERT INTO dirty_days (day, reason) VALUES ('2026-11-18', 'test')");
      clock.set("2026-11-21T08:00:00Z");
      expect((await s.tick()).map((r) => r.day)).toEqual(["2026-11-18"]);
    });
  });
}

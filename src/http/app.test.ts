import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../../test/helpers/db.js";
import type { Db } from "../db/db.js";
import { applyDirectoryText } from "../directory/apply.js";
import { runProcessing } from "../rollup/run.js";
import { ManualClock } from "../util/clock.js";
import { AnswerCache } from "./answer-cache.js";
import { buildApp } from "./app.js";

const DIRECTORY = `
organizations:
  - login: org
    owners: [boss]
    members: [m1, m2, m3, m4, m5]
    seats: [m1, m2, m3, m4, m5]
tokens:
  - { token: tok_two_apps_owner, kind: classic, user: boss, scopes: [read:org] }
  - { token: tok_two_apps_relay, kind: ingest }
`;

for (const backend of backends) {
  describe(`two apps in one process on ${backend.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    // Same database, a month apart: each app's window (28 days before its today) holds one of the two days.
    const apps = [
      { clock: new ManualClock(new Date("2026-11-20T12:00:00Z")), day: "2026-11-10", url: "" },
      { clock: new ManualClock(new Date("2026-12-20T12:00:00Z")), day: "2026-12-10", url: "" },
    ];
    const built: ReturnType<typeof buildApp>[] = [];

    beforeAll(async () => {
      ({ db, drop } = await backend.create());
      await applyDirectoryText(db, DIRECTORY, "d.yaml", { today: "2026-11-20", windowDays: 28 });
      for (const a of apps) {
        const app = buildApp({ db, clock: a.clock, windowDays: 28, answers: new AnswerCache() });
        built.push(app);
        a.url = await app.listen({ port: 0, host: "127.0.0.1" });
        const sent = await fetch(`${a.url}/telemetry/v1/events`, {
          method: "POST",
          headers: { authorization: "Bearer tok_two_apps_relay", "content-type": "application/x-ndjson" },
          body: JSON.stringify({
            id: `ev-${a.day}`,
            type: "activity",
            user: "m1",
            timestamp: `${a.day}T10:00:00Z`,
            engaged: true,
          }),
        });
        expect(sent.status).toBe(202);
        await runProcessing(db, a.clock.now(), { windowDays: 28, day: a.day });
      }
    });
    afterAll(async () => {
      for (const app of built) await app.close();
      await drop?.();
    });

    it("serves each app the window of its own clock, requests interleaved, with request ids of its own", async () => {
      const ids = new Set<string>();
      for (let round = 0; round < 3; round++) {
        for (const a of apps) {
          const res = await fetch(`${a.url}/orgs/org/copilot/metrics`, {
            headers: { authorization: "token tok_two_apps_owner" },
          });
          expect(res.status).toBe(200);
          const body = (await res.json()) as { date: string }[];
          expect(body.map((d) => d.date)).toEqual([a.day]);
          const id = res.headers.get("x-github-request-id")!;
          expect(id).toMatch(/^[0-9A-F]{4}:[0-9A-F]{4}:[0-9A-F]{6}:[0-9A-F]{6}:[0-9A-F]{8}$/);
          ids.add(id);
        }
      }
      expect(ids.size).toBe(6);
    });
  });
}

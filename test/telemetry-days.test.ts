import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";

/*
 * A late event is judged by the telemetry setting of its own day (README: "earlier days keep the setting they had"),
 * and an event answered `accepted` is counted. Worked out by hand:
 *
 * - 2026-11-18: the directory is applied with `offnow` on, `onnow` off, `flip` on.
 * - 2026-11-20 (today): `offnow` is turned off, `onnow` on, and `flip` off and back on again within the day.
 *   So on 2026-11-19 offnow was on, onnow off, flip on; from 2026-11-20 offnow is off, onnow on, flip on.
 * - Events of 2026-11-19 for u1–u5, flip and offnow are accepted, onnow's is dropped; the processed day counts
 *   those 7 active users.
 * - Events of 2026-11-20 for u1, offnow and onnow: 2 accepted (u1, onnow), 1 dropped (offnow); processed on
 *   2026-11-21, the day counts 2.
 */
const directory = (t: { offnow: boolean; onnow: boolean; flip: boolean }) => `
organizations:
  - login: tele
    owners: [owner]
    members: [u1, u2, u3, u4, u5, offnow, onnow, flip]
    seats: [u1, u2, u3, u4, u5, offnow, onnow, flip]
users:
  - { login: offnow, telemetry: ${t.offnow} }
  - { login: onnow, telemetry: ${t.onnow} }
  - { login: flip, telemetry: ${t.flip} }
tokens:
  - { token: tok_owner, user: owner, kind: classic, scopes: [read:org] }
  - { token: tok_relay, kind: ingest }
`;

const activity = (user: string, day: string) => ({
  id: `${user}-${day}`,
  type: "activity",
  user,
  timestamp: `${day}T07:00:00Z`,
});

for (const backend of backends) {
  describe(`late events keep the telemetry setting of their day on ${backend.name}`, () => {
    let h: Harness;
    const metrics = async () => {
      const res = await h.get("/orgs/tele/copilot/metrics", "tok_owner");
      expect(res.status).toBe(200);
      return ((await res.json()) as { date: string; total_active_users: number }[]).map((d) => [
        d.date,
        d.total_active_users,
      ]);
    };

    beforeAll(async () => {
      h = await startHarness(backend, "2026-11-18T12:00:00Z");
      await h.apply(directory({ offnow: true, onnow: false, flip: true }));
      h.clock.set(new Date("2026-11-20T08:00:00Z"));
      await h.apply(directory({ offnow: false, onnow: true, flip: false }));
      await h.apply(directory({ offnow: false, onnow: true, flip: true }));
    });
    afterAll(() => h?.close());

    it("accepts yesterday's events of a user who turned telemetry off today, and counts them", async () => {
      const send = async (users: string[]) =>
        (
          await h.send(
            "tok_relay",
            users.map((u) => activity(u, "2026-11-19")),
          )
        ).body;
      expect(await send(["u1", "u2", "u3", "u4", "u5", "flip"])).toEqual({
        accepted: 6,
        duplicates: 0,
        dropped: 0,
        rejected: [],
      });
      expect(await send(["offnow"])).toEqual({ accepted: 1, duplicates: 0, dropped: 0, rejected: [] });
      expect(await send(["onnow"])).toEqual({ accepted: 0, duplicates: 0, dropped: 1, rejected: [] });
      await h.process();
      expect(await metrics()).toEqual([["2026-11-19", 7]]);
    });

    it("judges today's events by today's setting", async () => {
      const sent = await h.send(
        "tok_relay",
        ["u1", "offnow", "onnow"].map((u) => activity(u, "2026-11-20")),
      );
      expect(sent.body).toEqual({ accepted: 2, duplicates: 0, dropped: 1, rejected: [] });
      h.clock.set(new Date("2026-11-21T01:00:00Z"));
      await h.process();
      expect(await metrics()).toEqual([
        ["2026-11-19", 7],
        ["2026-11-20", 2],
      ]);
    });
  });
}

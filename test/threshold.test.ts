import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";

/*
 * The privacy threshold of metrics-semantics.md v1.1: a day of an organization, team or enterprise team is served
 * when at least 5 members of the scope hold an active seat, whichever organization or enterprise assigned it.
 * Today is 2026-11-20; every user below is active on 2026-11-19. Worked out by hand:
 *
 * - alpha (in enterprise ent) has members t1–t6 and seats t1–t4; t5 holds a seat assigned by beta (same
 *   enterprise); t6 has none. Seated members of alpha: t1–t5 = 5 → served.
 * - team alpha/five = t1–t5: 4 alpha seats + t5's beta seat = 5 → served.
 * - team alpha/four = t1, t2, t3, t5, t6: t1–t3 + t5 = 4 → left out.
 * - enterprise team ent/guild = t1–t4, g1, where g1's seat comes from gamma, an organization outside the
 *   enterprise: 5 → served. Enterprise team ent/trio = t1–t3, t6: 3 → left out.
 */
const DIRECTORY = `
enterprises:
  - slug: ent
    owners: [boss]
    teams:
      - slug: guild
        members: [t1, t2, t3, t4, g1]
      - slug: trio
        members: [t1, t2, t3, t6]
organizations:
  - login: alpha
    enterprise: ent
    owners: [owner]
    members: [t1, t2, t3, t4, t5, t6]
    seats: [t1, t2, t3, t4]
    teams:
      - slug: five
        members: [t1, t2, t3, t4, t5]
      - slug: four
        members: [t1, t2, t3, t5, t6]
  - login: beta
    enterprise: ent
    members: [t5]
    seats: [t5]
  - login: gamma
    members: [g1]
    seats: [g1]
tokens:
  - { token: tok_owner, user: owner, kind: classic, scopes: [read:org] }
  - { token: tok_boss, user: boss, kind: classic, scopes: [read:enterprise] }
  - { token: tok_relay, kind: ingest }
`;

const DAY = "2026-11-19";

for (const backend of backends) {
  describe(`privacy threshold counts seats of any organization on ${backend.name}`, () => {
    let h: Harness;
    const served = async (path: string, token: string) => {
      const res = await h.get(path, token);
      expect(res.status).toBe(200);
      return ((await res.json()) as { date: string; total_active_users: number }[]).map(
        (d) => `${d.date}:${d.total_active_users}`,
      );
    };

    beforeAll(async () => {
      h = await startHarness(backend, "2026-11-20T12:00:00Z");
      await h.apply(DIRECTORY);
      const users = ["t1", "t2", "t3", "t4", "t5", "t6", "g1"];
      const sent = await h.send(
        "tok_relay",
        users.map((u) => ({ id: `act-${u}`, type: "activity", user: u, timestamp: `${DAY}T10:00:00Z` })),
      );
      expect(sent.body).toMatchObject({ accepted: 7, rejected: [] });
      await h.process();
    });
    afterAll(() => h?.close());

    it("serves a team whose fifth seated member got the seat from another organization of the enterprise", async () => {
      expect(await served("/orgs/alpha/team/five/copilot/metrics", "tok_owner")).toEqual([`${DAY}:5`]);
    });

    it("leaves out a team with only four seated members", async () => {
      expect(await served("/orgs/alpha/team/four/copilot/metrics", "tok_owner")).toEqual([]);
    });

    it("serves the organization, counting its member seated by a sister organization", async () => {
      expect(await served("/orgs/alpha/copilot/metrics", "tok_owner")).toEqual([`${DAY}:6`]);
    });

    it("counts an enterprise team member's seat from an organization outside the enterprise", async () => {
      expect(await served("/enterprises/ent/team/guild/copilot/metrics", "tok_boss")).toEqual([`${DAY}:5`]);
      expect(await served("/enterprises/ent/team/trio/copilot/metrics", "tok_boss")).toEqual([]);
    });
  });
}

/**
 * A seat's `created_at` comes from the directory (`since`) and the server's clock (`--now`, here a fixed clock far
 * from the wall clock), never from the database's wall clock; the demo world's seats precede their activity.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWorld, simulate, worldDirectory } from "../src/simulate/index.js";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";

const NOW = "2026-03-14T09:30:00Z";

const DIRECTORY = `
enterprises:
  - slug: ent
    owners: [boss]
    seats: [solo]
    members: [solo]
organizations:
  - login: clock-org
    enterprise: ent
    owners: [owner]
    members: [a1, a2]
    seats: [a1, { login: a2, since: 2026-03-01 }]
tokens:
  - { token: tok_owner, kind: classic, user: owner, scopes: [read:org] }
  - { token: tok_boss, kind: classic, user: boss, scopes: [read:enterprise] }
`;

interface Seat {
  created_at: string;
  updated_at: string;
  assignee: { login: string };
  last_activity_at: string | null;
}

for (const backend of backends) {
  describe(`seat created_at on ${backend.name}`, () => {
    let h: Harness;
    const seats = async (path: string, token: string) => {
      const res = await h.get(path, token);
      expect(res.status).toBe(200);
      return ((await res.json()) as { seats: Seat[] }).seats.map((s) => [s.assignee.login, s.created_at]);
    };
    beforeAll(async () => {
      h = await startHarness(backend, NOW);
      await h.apply(DIRECTORY);
    });
    afterAll(() => h?.close());

    it("is the seat's since, else the server's clock when its organization or enterprise was applied", async () => {
      expect(await seats("/orgs/clock-org/copilot/billing/seats", "tok_owner")).toEqual([
        ["a1", NOW],
        ["a2", "2026-03-01T00:00:00Z"],
      ]);
      expect(await seats("/enterprises/ent/copilot/billing/seats", "tok_boss")).toEqual([
        ["a1", NOW],
        ["a2", "2026-03-01T00:00:00Z"],
        ["solo", NOW],
      ]);
    });

    it("keeps it when the file is applied again later", async () => {
      h.clock.set("2026-03-20T10:00:00Z");
      await h.apply(DIRECTORY.replace("members: [a1, a2]", "members: [a1, a2, a3]"));
      expect(await seats("/orgs/clock-org/copilot/billing/seats", "tok_owner")).toEqual([
        ["a1", NOW],
        ["a2", "2026-03-01T00:00:00Z"],
      ]);
    });
  });

  describe(`the demo world's seats on ${backend.name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, NOW);
    });
    afterAll(() => h?.close());

    it("are created before their holder's first activity", async () => {
      const world = buildWorld({ users: 40, seed: "seats", today: NOW.slice(0, 10) });
      await h.apply(JSON.stringify(worldDirectory(world)));
      for (const { events } of simulate(world))
        for (let i = 0; i < events.length; i += 5000)
          expect((await h.send(world.tokens.relay, events.slice(i, i + 5000))).status).toBe(202);
      const res = await h.get(
        "/enterprises/demo-ent/copilot/billing/seats?per_page=100",
        world.tokens.enterprise_owner,
      );
      expect(res.status).toBe(200);
      const all = ((await res.json()) as { seats: Seat[] }).seats;
      const active = all.filter((s) => s.last_activity_at !== null);
      expect(active.length).toBeGreaterThan(10);
      expect(active.filter((s) => s.created_at > s.last_activity_at!)).toEqual([]);
    });
  });
}

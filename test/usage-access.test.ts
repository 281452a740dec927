import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addUsage } from "../src/otlp/usage-store.js";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";

/*
 * Who reads whose rows on GET /telemetry/v1/usage. Two enterprises share one pilotlog:
 * - east: organization e-org (members ann, bob; team e-team with cy) and enterprise team e-guild (dee);
 * - west: organization w-org (member wes).
 * Every one of the five has one usage row on 2026-11-19. Worked out by hand:
 * - east's owner reads ann, bob, cy, dee, and not wes; west's owner reads wes only;
 * - e-org's owner reads ann, bob, cy (the org's team), not dee (an enterprise team's member only);
 * - ann reads ann.
 */
const DIRECTORY = `
enterprises:
  - slug: east
    owners: [east-boss]
    teams:
      - slug: e-guild
        members: [dee]
  - slug: west
    owners: [west-boss]
organizations:
  - login: e-org
    enterprise: east
    owners: [org-boss]
    members: [ann, bob]
    seats: [ann, bob]
    teams:
      - slug: e-team
        members: [cy]
  - login: w-org
    enterprise: west
    members: [wes]
    seats: [wes]
tokens:
  - { token: pl_east_owner, kind: classic, user: east-boss, scopes: [read:enterprise] }
  - { token: pl_west_owner, kind: classic, user: west-boss, scopes: [read:enterprise] }
  - { token: pl_org_owner, kind: classic, user: org-boss, scopes: [read:org] }
  - { token: pl_ann_token, kind: classic, user: ann, scopes: [] }
`;
const DAY = "2026-11-19";

for (const backend of backends) {
  describe(`usage rows by who asks on ${backend.name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, "2026-11-20T08:00:00Z");
      await h.apply(DIRECTORY);
      await h.db.transaction((tx) =>
        addUsage(
          tx,
          ["ann", "bob", "cy", "dee", "wes"].map((login) => ({
            login,
            day: DAY,
            add: { tool: "claude-code", model: "claude-sonnet-4-5", column: "input" as const, amount: 10 },
            dedupe: null,
          })),
          DAY,
        ),
      );
    });
    afterAll(async () => h?.close());

    const users = async (token: string) => {
      const res = await h.get(`/telemetry/v1/usage?since=${DAY}&until=${DAY}`, token);
      expect(res.status).toBe(200);
      return ((await res.json()) as { usage: { user: string }[] }).usage.map((r) => r.user);
    };

    it("an enterprise owner reads the people of their enterprise only", async () => {
      expect(await users("pl_east_owner")).toEqual(["ann", "bob", "cy", "dee"]);
      expect(await users("pl_west_owner")).toEqual(["wes"]);
    });

    it("an organization owner reads the organization's people, its teams included", async () => {
      expect(await users("pl_org_owner")).toEqual(["ann", "bob", "cy"]);
    });

    it("anyone else reads their own", async () => {
      expect(await users("pl_ann_token")).toEqual(["ann"]);
    });
  });
}

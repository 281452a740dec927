import { describe, expect, it } from "vitest";
import { buildDayDirectory } from "./asof.js";

// Enterprise 1 with org 10 (team 100) and org 20 without enterprise; enterprise team 200 in enterprise 1.
const base = {
  orgs: [
    { id: 10, enterprise_id: 1 },
    { id: 20, enterprise_id: null },
  ],
  models: [{ name: "acme-pr-model", training_date: "2024-02-01" }],
};
const g = (scope_kind: string, scope_id: number, user_id: number, role: string) => ({
  scope_kind,
  scope_id,
  user_id,
  role,
});

describe("buildDayDirectory", () => {
  it("places org members and owners in the org and its enterprise, enterprise members and seat holders in the enterprise", () => {
    const d = buildDayDirectory({
      ...base,
      grants: [
        g("org", 10, 1, "member"),
        g("org", 10, 2, "owner"),
        g("ent", 1, 3, "member"),
        g("ent", 1, 4, "seat"),
        g("ent", 1, 5, "owner"),
        g("ent", 1, 6, "billing_manager"),
        g("org", 20, 7, "member"),
      ],
      telemetryOff: new Set(),
    });
    expect(Object.fromEntries(d.scopesOf)).toEqual({
      1: ["org:10", "ent:1"],
      2: ["org:10", "ent:1"],
      3: ["ent:1"],
      4: ["ent:1"],
      7: ["org:20"],
    });
    expect(d.customModels.get("acme-pr-model")).toBe("2024-02-01");
  });

  it("leaves telemetry-off users out of every scope but still counts their seats for the threshold", () => {
    const d = buildDayDirectory({
      ...base,
      grants: [
        g("org", 10, 1, "member"),
        g("org", 10, 1, "seat"),
        g("org", 10, 2, "member"),
        g("org", 10, 2, "seat"),
      ],
      telemetryOff: new Set([2]),
    });
    expect(d.scopesOf.has(2)).toBe(false);
    expect(d.seatedMembers.get("org:10")).toBe(2);
  });

  it("counts a member's seat for the threshold whichever organization or enterprise assigned it", () => {
    const grants = [
      ...[1, 2, 3].flatMap((u) => [
        g("org", 10, u, "member"),
        g("team", 100, u, "member"),
        g("eteam", 200, u, "member"),
      ]),
      g("eteam", 200, 4, "member"),
      g("org", 10, 1, "seat"),
      g("ent", 1, 2, "seat"),
      g("org", 20, 3, "seat"), // a seat of an organization outside the enterprise counts too
      g("org", 10, 4, "seat"), // user 4 holds an org-10 seat but is only an enterprise-team member
    ];
    const d = buildDayDirectory({ ...base, grants, telemetryOff: new Set() });
    expect(d.seatedMembers.get("org:10")).toBe(3);
    expect(d.seatedMembers.get("team:100")).toBe(3);
    expect(d.seatedMembers.get("eteam:200")).toBe(4);
    expect(d.seatedMembers.has("ent:1")).toBe(false); // no threshold for the enterprise
  });
});

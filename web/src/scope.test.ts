import { describe, expect, it } from "vitest";
import { metricsPath, scopeName, teamsPath, viewFromHash, viewToHash } from "./scope.js";

describe("scope", () => {
  it("maps each of the four scopes to GitHub's metrics route, escaping names", () => {
    expect(metricsPath({ kind: "org", owner: "octo-org", team: "" })).toBe("/orgs/octo-org/copilot/metrics");
    expect(metricsPath({ kind: "team", owner: "octo-org", team: "a b" })).toBe(
      "/orgs/octo-org/team/a%20b/copilot/metrics",
    );
    expect(metricsPath({ kind: "enterprise", owner: "ent", team: "" })).toBe(
      "/enterprises/ent/copilot/metrics",
    );
    expect(metricsPath({ kind: "enterprise-team", owner: "ent", team: "guild" })).toBe(
      "/enterprises/ent/team/guild/copilot/metrics",
    );
    expect(teamsPath({ kind: "enterprise-team", owner: "ent", team: "" })).toBe("/enterprises/ent/teams");
    expect(teamsPath({ kind: "team", owner: "o", team: "" })).toBe("/orgs/o/teams");
    expect(scopeName({ kind: "team", owner: "o", team: "backend" })).toBe("o / backend");
    expect(scopeName({ kind: "org", owner: "o", team: "ignored" })).toBe("o");
  });

  it("round-trips a view through the location hash and ignores an unknown kind", () => {
    const view = { kind: "team" as const, owner: "o", team: "t", since: "2026-11-01", until: "2026-11-19" };
    expect(viewToHash(view)).toBe("#kind=team&owner=o&team=t&since=2026-11-01&until=2026-11-19");
    expect(viewFromHash(viewToHash(view))).toEqual(view);
    expect(viewToHash({ ...view, kind: "org" })).toBe("#kind=org&owner=o&since=2026-11-01&until=2026-11-19");
    expect(viewFromHash("#kind=bogus&owner=o")).toEqual({ owner: "o" });
  });
});

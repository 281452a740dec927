import { describe, expect, it } from "vitest";
import { directoryFile, type UpstreamScope } from "./directory.js";
import type { LocalState } from "./state.js";

const TODAY = "2026-11-20";
const empty: LocalState = { days: [], grants: [], teams: [], scopes: [] };

describe("the directory file a sync applies", () => {
  it("takes today's members, dated seats and teams from the upstream for a new organization", () => {
    const up: UpstreamScope = {
      key: "org:octo",
      members: ["mona", "hubot"],
      seats: [
        { login: "mona", since: "2026-10-01", until: null, org: null },
        // pending_cancellation_date 2026-11-25: the seat's last day is the 24th.
        { login: "hubot", since: "2026-11-02", until: "2026-11-24", org: null },
      ],
      teams: [{ slug: "backend", name: "Backend", members: ["mona"] }],
    };
    expect(directoryFile([up], empty, TODAY)).toEqual({
      enterprises: [],
      organizations: [
        {
          login: "octo",
          owners: [],
          members: ["hubot", "mona"],
          seats: [
            { login: "hubot", since: "2026-11-02", until: "2026-11-24" },
            { login: "mona", since: "2026-10-01" },
          ],
          teams: [{ slug: "backend", name: "Backend", members: ["mona"] }],
        },
      ],
    });
  });

  it("keeps history: a member no longer listed leaves yesterday, imported ranges and owners stay, policy kept", () => {
    const local: LocalState = {
      days: [],
      grants: [
        { scope: "org:octo", role: "member", login: "lisa", since: null, until: null, imported: false },
        {
          scope: "org:octo",
          role: "member",
          login: "ann",
          since: "2026-11-03",
          until: "2026-11-09",
          imported: true,
        },
        { scope: "org:octo", role: "owner", login: "boss", since: null, until: null, imported: false },
        {
          scope: "org:octo",
          role: "seat",
          login: "mona",
          since: "2026-09-15",
          until: "2026-11-01",
          imported: true,
        },
        { scope: "team:octo/old", role: "member", login: "lisa", since: null, until: null, imported: false },
      ],
      teams: [{ scope: "team:octo/old", name: "Old" }],
      scopes: [{ scope: "org:octo", name: "Octo Inc", policy: "disabled", enterprise: "octo-ent" }],
    };
    const up: UpstreamScope = {
      key: "org:octo",
      members: ["mona"],
      seats: [{ login: "mona", since: "2026-10-01", until: null, org: null }],
      teams: [],
    };
    expect(directoryFile([up], local, TODAY)).toEqual({
      enterprises: [],
      organizations: [
        {
          login: "octo",
          name: "Octo Inc",
          copilot_metrics_policy: "disabled",
          enterprise: "octo-ent",
          owners: ["boss"],
          members: [
            { login: "ann", since: "2026-11-03", until: "2026-11-09" },
            { login: "lisa", until: "2026-11-19" },
            "mona",
          ],
          // Listed upstream since 10-01; the store saw the seat from 09-15 (an import): the earlier start is kept.
          seats: [{ login: "mona", since: "2026-09-15" }],
          teams: [{ slug: "old", name: "Old", members: [{ login: "lisa", until: "2026-11-19" }] }],
        },
      ],
    });
  });

  it("places an organization whose seats the enterprise lists in that enterprise; enterprise seats are its own", () => {
    const ent: UpstreamScope = {
      key: "ent:big",
      members: [],
      seats: [
        { login: "mona", since: "2026-10-01", until: null, org: "octo" },
        { login: "solo", since: "2026-10-05", until: null, org: null },
      ],
      teams: [{ slug: "guild", name: "Guild", members: ["mona", "solo"] }],
    };
    const org: UpstreamScope = { key: "org:octo", members: ["mona"], seats: [], teams: [] };
    const f = directoryFile([ent, org], empty, TODAY) as {
      enterprises: { seats: unknown[]; teams: unknown[] }[];
      organizations: { enterprise?: string }[];
    };
    expect(f.enterprises[0]!.seats).toEqual([{ login: "solo", since: "2026-10-05" }]);
    expect(f.enterprises[0]!.teams).toEqual([{ slug: "guild", name: "Guild", members: ["mona", "solo"] }]);
    expect(f.organizations[0]!.enterprise).toBe("big");
  });
});

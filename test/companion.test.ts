import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertCompanionBody } from "./helpers/companion-schema.js";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";

const WORLD = `
enterprises:
  - slug: ent
    owners: [boss]
    billing_managers: [bill]
    seats: [solo]
    members: [solo]
    teams: [{ slug: guild, name: Guild, members: [a1, a2, a3] }]
organizations:
  - login: Octo
    enterprise: ent
    owners: [owner]
    members: [a1, a2, a3, a4, { login: late, since: 2026-11-10 }, { login: gone, until: 2026-11-05 }, { login: leaving, until: 2026-11-25 }]
    seats: [{ login: a1, assigning_team: alpha }, a2, a3, { login: late, since: 2026-11-10 }, { login: gone, until: 2026-11-05 }, { login: leaving, until: 2026-11-25 }]
    teams:
      - { slug: alpha, members: [a1, a2] }
      - { slug: beta, members: [a3] }
      - { slug: gamma, members: [] }
  - login: other
    owners: [stranger]
tokens:
  - { token: tok_owner, kind: classic, user: owner, scopes: [read:org] }
  - { token: tok_member, kind: classic, user: a4, scopes: [read:org] }
  - { token: tok_boss, kind: classic, user: boss, scopes: [read:enterprise] }
  - { token: tok_stranger, kind: classic, user: stranger, scopes: [read:org, manage_billing:copilot] }
  - { token: tok_fine_billing, kind: fine_grained, user: owner, resource_owner: octo, permissions: { copilot_business: read } }
  - { token: tok_relay, kind: ingest }
`;

for (const backend of backends) {
  describe(`companion endpoints on ${backend.name}`, () => {
    let h: Harness;
    const json = async (path: string, template: string, token: string) => {
      const res = await h.get(path, token);
      const body: unknown = await res.json();
      if (res.status === 200) assertCompanionBody(template, body);
      return { res, body: body as Record<string, unknown> & Record<string, unknown>[] };
    };
    beforeAll(async () => {
      h = await startHarness(backend, "2026-11-20T12:00:00Z");
      await h.apply(WORLD);
      const sent = await h.send("tok_relay", [
        {
          id: "c1",
          type: "completion.suggested",
          user: "a1",
          timestamp: "2026-11-19T09:00:00Z",
          editor: "vscode",
          language: "go",
          lines: 1,
        },
        { id: "c2", type: "chat.prompted", user: "a1", timestamp: "2026-11-20T08:00:00Z", surface: "dotcom" },
        {
          id: "c3",
          type: "chat.prompted",
          user: "a2",
          timestamp: "2026-11-18T10:00:00Z",
          surface: "ide",
          editor: "JetBrains",
        },
      ]);
      expect(sent.body).toMatchObject({ accepted: 3 });
    });
    afterAll(() => h?.close());

    it("lists the organization's seats valid today with last activity from telemetry", async () => {
      const { body } = await json(
        "/orgs/octo/copilot/billing/seats",
        "/orgs/{org}/copilot/billing/seats",
        "tok_owner",
      );
      expect(body.total_seats).toBe(5); // a1, a2, a3, late, leaving (gone's seat ended on 11-05)
      const seats = body.seats as {
        assignee: { login: string };
        last_activity_at: string | null;
        last_activity_editor: string | null;
        pending_cancellation_date: string | null;
        created_at: string;
      }[];
      expect(seats.map((s) => s.assignee.login)).toEqual(["a1", "a2", "a3", "late", "leaving"]);
      expect(seats[0]).toMatchObject({
        last_activity_at: "2026-11-20T08:00:00Z",
        last_activity_editor: "vscode",
      });
      expect(seats[1]).toMatchObject({
        last_activity_at: "2026-11-18T10:00:00Z",
        last_activity_editor: "JetBrains",
      });
      expect(seats[2]).toMatchObject({ last_activity_at: null, last_activity_editor: null });
      expect(seats[3]!.created_at).toBe("2026-11-10T00:00:00Z");
      expect(seats[4]!.pending_cancellation_date).toBe("2026-11-26");
    });

    it("summarises seats on /copilot/billing and answers one member's seat", async () => {
      const { body } = await json(
        "/orgs/octo/copilot/billing",
        "/orgs/{org}/copilot/billing",
        "tok_fine_billing",
      );
      expect(body.seat_breakdown).toEqual({
        total: 5,
        added_this_cycle: 1,
        pending_invitation: 0,
        pending_cancellation: 1,
        active_this_cycle: 2,
        inactive_this_cycle: 3,
      });
      const one = await json(
        "/orgs/octo/members/A1/copilot",
        "/orgs/{org}/members/{username}/copilot",
        "tok_owner",
      );
      expect(one.body).toMatchObject({ assignee: { login: "a1" }, organization: { login: "Octo" } });
      expect((await h.get("/orgs/octo/members/a4/copilot", "tok_owner")).status).toBe(404);
    });

    it("lists enterprise seats from the enterprise and its organizations", async () => {
      const { body } = await json(
        "/enterprises/ent/copilot/billing/seats",
        "/enterprises/{enterprise}/copilot/billing/seats",
        "tok_boss",
      );
      expect(body.total_seats).toBe(6);
      expect(
        (body.seats as { assignee: { login: string }; organization: { login: string } | null }[]).find(
          (s) => s.assignee.login === "solo",
        )!.organization,
      ).toBeNull();
    });

    it("lists teams, team members, organization members, enterprise teams and their members", async () => {
      const teams = await json("/orgs/octo/teams", "/orgs/{org}/teams", "tok_member");
      expect(teams.body.map((t) => t.slug)).toEqual(["alpha", "beta", "gamma"]);
      const members = await json(
        "/orgs/octo/teams/alpha/members",
        "/orgs/{org}/teams/{team_slug}/members",
        "tok_member",
      );
      expect(members.body.map((u) => u.login)).toEqual(["a1", "a2"]);
      const org = await json("/orgs/octo/members", "/orgs/{org}/members", "tok_owner");
      expect(org.body.map((u) => u.login)).toEqual(["a1", "a2", "a3", "a4", "late", "leaving", "owner"]);
      const eteams = await json("/enterprises/ent/teams", "/enterprises/{enterprise}/teams", "tok_boss");
      expect(eteams.body.map((t) => t.slug)).toEqual(["guild"]);
      const emembers = await json(
        "/enterprises/ent/teams/guild/memberships",
        "/enterprises/{enterprise}/teams/{enterprise-team}/memberships",
        "tok_boss",
      );
      expect(emembers.body.map((u) => u.login)).toEqual(["a1", "a2", "a3"]);
    });

    it("answers /user and /user/orgs for the token's user", async () => {
      const me = await json("/user", "/user", "tok_member");
      expect(me.body.login).toBe("a4");
      const orgs = await json("/user/orgs", "/user/orgs", "tok_owner");
      expect(orgs.body.map((o) => o.login)).toEqual(["Octo"]);
      expect((await h.get("/user", "tok_relay")).status).toBe(403);
    });

    it("applies each endpoint's access rule", async () => {
      const cases: [string, string, number][] = [
        ["/orgs/octo/copilot/billing/seats", "tok_member", 403],
        ["/orgs/octo/copilot/billing", "tok_stranger", 403],
        ["/orgs/octo/teams", "tok_stranger", 403],
        ["/orgs/octo/members", "tok_boss", 403], // read:enterprise is not read:org
        ["/enterprises/ent/copilot/billing/seats", "tok_owner", 403],
        ["/enterprises/ent/copilot/billing/seats", "tok_fine_billing", 403],
        ["/enterprises/ent/teams", "tok_member", 403],
        ["/orgs/nope/teams", "tok_owner", 404],
        ["/orgs/octo/teams/nope/members", "tok_owner", 404],
        ["/orgs/octo/teams", "", 401],
        ["/orgs/octo/teams/alpha/members", "tok_stranger", 403],
        ["/orgs/octo/teams/alpha/members", "tok_fine_billing", 403], // copilot_business is not the members permission
        ["/orgs/octo/members/a1/copilot", "tok_member", 403],
        ["/orgs/octo/members/a1/copilot", "tok_fine_billing", 200],
        ["/enterprises/ent/teams/guild/memberships", "tok_owner", 403],
        ["/enterprises/ent/teams/guild/memberships", "tok_fine_billing", 403],
        ["/enterprises/nope/teams", "tok_boss", 404],
        ["/user/orgs", "tok_relay", 403],
        ["/user/orgs", "not_a_token", 401],
        ["/orgs/octo/copilot/billing", "tok_relay", 403],
      ];
      for (const [path, token, status] of cases)
        expect([path, token, (await h.get(path, token || undefined)).status]).toEqual([path, token, status]);
    });

    it("authenticates before looking names up: no or a bad token is a 401 whether or not the name exists", async () => {
      const routes = (org: string, ent: string) => [
        `/orgs/${org}/copilot/billing`,
        `/orgs/${org}/copilot/billing/seats`,
        `/orgs/${org}/members/a1/copilot`,
        `/orgs/${org}/teams`,
        `/orgs/${org}/teams/alpha/members`,
        `/orgs/${org}/members`,
        `/enterprises/${ent}/copilot/billing/seats`,
        `/enterprises/${ent}/teams`,
        `/enterprises/${ent}/teams/guild/memberships`,
        "/user",
        "/user/orgs",
      ];
      const seen: string[] = [];
      for (const prefix of ["", "/api/v3"]) {
        for (const path of [...routes("octo", "ent"), ...routes("no-such-org", "no-such-ent")]) {
          for (const [token, message] of [
            [undefined, "Requires authentication"],
            ["pl_not_a_token", "Bad credentials"],
          ] as const) {
            const res = await h.get(`${prefix}${path}`, token);
            const body = (await res.json()) as { message: string };
            seen.push(`${prefix}${path} ${token ?? "-"} ${res.status} ${body.message}`);
            expect(`${prefix}${path} ${token ?? "-"} ${res.status} ${body.message}`).toBe(
              `${prefix}${path} ${token ?? "-"} 401 ${message}`,
            );
          }
        }
      }
      expect(seen).toHaveLength(88);
    });

    it("pages with GitHub's Link header, and octokit's paginate walks teams and seats", async () => {
      const first = await h.get("/orgs/octo/teams?per_page=2", "tok_owner");
      expect(first.headers.get("link")).toContain('rel="next"');
      const octokit = new Octokit({ baseUrl: h.url, auth: "tok_owner" });
      const teams = await octokit.paginate(octokit.rest.teams.list, { org: "octo", per_page: 1 });
      expect(teams.map((t) => t.slug)).toEqual(["alpha", "beta", "gamma"]);
      const seats = await octokit.paginate(
        octokit.rest.copilot.listCopilotSeats,
        { org: "octo", per_page: 2 },
        (r) => (r.data as { seats?: { assignee: unknown }[] }).seats ?? [],
      );
      expect(seats.map((s: { assignee: unknown }) => (s.assignee as { login: string }).login)).toEqual([
        "a1",
        "a2",
        "a3",
        "late",
        "leaving",
      ]);
      const etag = first.headers.get("etag")!;
      expect(
        (await h.get("/orgs/octo/teams?per_page=2", "tok_owner", { "if-none-match": etag })).status,
      ).toBe(304);
      expect((await h.get("/api/v3/orgs/octo/teams", "tok_owner")).status).toBe(200);
    });
  });
}

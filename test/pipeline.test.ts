import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";
import { assertErrorBody, assertMetricsBody } from "./helpers/schema.js";

/*
 * One small world, every expectation worked out by hand below. Today is 2026-11-20, the window is
 * 2026-10-23 … 2026-11-19.
 *
 * Seated members of Acme-Org at the end of each day: a1–a4 always, leaver until 11-05, joiner (a member only from
 * 11-10) → 5 on ≤ 11-05, 4 on 11-06 … 11-09 (left out), 5 from 11-10. Team "five" (a1–a4, joiner; all seated) has
 * 5 every day; team "four" has 4; enterprise team "guild" (a1–a5, a5 without a seat) has 4.
 */
const DIRECTORY = `
enterprises:
  - slug: acme
    owners: [boss]
    billing_managers: [bill]
    seats: [solo]
    members: [solo]
    teams:
      - slug: guild
        members: [a1, a2, a3, a4, a5]
organizations:
  - login: Acme-Org
    enterprise: acme
    owners: [owner1]
    members: [a1, a2, a3, a4, quiet, { login: joiner, since: 2026-11-10 }, { login: leaver, until: 2026-11-05 }]
    seats: [a1, a2, a3, a4, joiner, { login: leaver, until: 2026-11-05 }]
    teams:
      - slug: four
        members: [a1, a2, a3, a4]
      - slug: five
        members: [a1, a2, a3, a4, joiner]
  - login: other-org
    copilot_metrics_policy: disabled
    owners: [owner2]
    members: [b1]
users:
  - login: quiet
    telemetry: false
tokens:
  - { token: tok_owner1_classic, user: owner1, kind: classic, scopes: [read:org] }
  - { token: tok_boss_classic, user: boss, kind: classic, scopes: [read:enterprise] }
  - { token: tok_owner2_classic, user: owner2, kind: classic, scopes: [read:org] }
  - { token: tok_relay_ingest, kind: ingest }
`;

const RELAY = "tok_relay_ingest";
const OWNER = "tok_owner1_classic";
const BOSS = "tok_boss_classic";

let seq = 0;
const ev = (user: string, day: string, type: string, fields: object = {}) => ({
  id: `ev-${++seq}`,
  type,
  user,
  timestamp: `${day}T10:00:00Z`,
  ...fields,
});

const EMPTY = { total_engaged_users: 0 };

for (const backend of backends) {
  describe(`pipeline on ${backend.name}`, () => {
    let h: Harness;
    const json = async (path: string, token = OWNER) => {
      const res = await h.get(path, token);
      const body = (await res.json()) as unknown;
      if (res.status === 200) assertMetricsBody(body);
      else assertErrorBody(body);
      return { res, body: body as Record<string, unknown>[] & Record<string, unknown> };
    };
    const days = async (path: string, token = OWNER) => (await json(path, token)).body.map((d) => d.date);

    beforeAll(async () => {
      h = await startHarness(backend, "2026-11-20T12:00:00Z");
      await h.apply(DIRECTORY);
      const events = [
        ev("a1", "2026-11-04", "completion.suggested", { editor: "vscode", language: "python", lines: 4 }),
        ev("a1", "2026-11-04", "completion.accepted", {
          editor: "vscode",
          language: "python",
          lines: 3,
          partial: true,
        }),
        ev("leaver", "2026-11-04", "completion.suggested", { editor: "vscode", language: "go", lines: 2 }),
        ev("joiner", "2026-11-04", "chat.prompted", { surface: "ide", editor: "vscode" }),
        ev("quiet", "2026-11-04", "activity", { engaged: true }),
        ev("a1", "2026-11-07", "chat.prompted", { surface: "dotcom" }),
        ev("joiner", "2026-11-12", "completion.accepted", {
          editor: "JetBrains",
          language: "java",
          lines: 5,
        }),
        ev("a2", "2026-11-12", "pull_request.summarized", { repository: "acme/api" }),
        ev("solo", "2026-11-12", "activity", {}),
        ev("a1", "2026-11-20", "activity", { engaged: true }),
      ];
      const sent = await h.send(RELAY, events);
      expect(sent).toEqual({ status: 202, body: { accepted: 9, duplicates: 0, dropped: 1, rejected: [] } });
      await h.process();
    });
    afterAll(() => h?.close());

    it("serves the organization's days, leaving out the day under the seat threshold and days without activity", async () => {
      const { res, body } = await json("/orgs/acme-org/copilot/metrics");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expect(body).toEqual([
        {
          date: "2026-11-04",
          total_active_users: 2, // a1 and leaver; joiner is not a member yet, quiet has telemetry off
          total_engaged_users: 1,
          copilot_ide_code_completions: {
            total_engaged_users: 1,
            languages: [
              { name: "python", total_engaged_users: 1 },
              { name: "go", total_engaged_users: 0 },
            ],
            editors: [
              {
                name: "vscode",
                total_engaged_users: 1,
                models: [
                  {
                    name: "default",
                    is_custom_model: false,
                    custom_model_training_date: null,
                    total_engaged_users: 1,
                    languages: [
                      {
                        name: "python",
                        total_engaged_users: 1,
                        total_code_suggestions: 1,
                        total_code_acceptances: 1,
                        total_code_lines_suggested: 4,
                        total_code_lines_accepted: 3,
                      },
                      {
                        name: "go",
                        total_engaged_users: 0,
                        total_code_suggestions: 1,
                        total_code_acceptances: 0,
                        total_code_lines_suggested: 2,
                        total_code_lines_accepted: 0,
                      },
                    ],
                  },
                ],
              },
            ],
          },
          copilot_ide_chat: EMPTY,
          copilot_dotcom_chat: EMPTY,
          copilot_dotcom_pull_requests: EMPTY,
        },
        {
          date: "2026-11-12",
          total_active_users: 2, // joiner (a member since 11-10) and a2
          total_engaged_users: 2,
          copilot_ide_code_completions: {
            total_engaged_users: 1,
            languages: [{ name: "java", total_engaged_users: 1 }],
            editors: [
              {
                name: "JetBrains",
                total_engaged_users: 1,
                models: [
                  {
                    name: "default",
                    is_custom_model: false,
                    custom_model_training_date: null,
                    total_engaged_users: 1,
                    languages: [
                      {
                        name: "java",
                        total_engaged_users: 1,
                        total_code_suggestions: 0,
                        total_code_acceptances: 1,
                        total_code_lines_suggested: 0,
                        total_code_lines_accepted: 5,
                      },
                    ],
                  },
                ],
              },
            ],
          },
          copilot_ide_chat: EMPTY,
          copilot_dotcom_chat: EMPTY,
          copilot_dotcom_pull_requests: {
            total_engaged_users: 1,
            repositories: [
              {
                name: "acme/api",
                total_engaged_users: 1,
                models: [
                  {
                    name: "default",
                    is_custom_model: false,
                    custom_model_training_date: null,
                    total_pr_summaries_created: 1,
                    total_engaged_users: 1,
                  },
                ],
              },
            ],
          },
        },
      ]);
    });

    it("serves the enterprise without a threshold, counting enterprise members and seat holders", async () => {
      const { body } = await json("/enterprises/acme/copilot/metrics", BOSS);
      expect(body.map((d) => [d.date, d.total_active_users, d.total_engaged_users])).toEqual([
        ["2026-11-04", 2, 1],
        ["2026-11-07", 1, 1], // a1 on github.com chat: the org hides this day (4 seats), the enterprise does not
        ["2026-11-12", 3, 2], // joiner, a2, and solo (enterprise member with an enterprise seat), not engaged
      ]);
      expect(body[1]!.copilot_dotcom_chat).toEqual({
        total_engaged_users: 1,
        models: [
          {
            name: "default",
            is_custom_model: false,
            custom_model_training_date: null,
            total_engaged_users: 1,
            total_chats: 1,
          },
        ],
      });
    });

    it("counts a team member who is not yet an organization member, and leaves out teams under 5 seats", async () => {
      const { body } = await json("/orgs/acme-org/team/five/copilot/metrics");
      expect(body.map((d) => [d.date, d.total_active_users, d.total_engaged_users])).toEqual([
        ["2026-11-04", 2, 2], // a1 (accepted) and joiner (IDE chat)
        ["2026-11-07", 1, 1],
        ["2026-11-12", 2, 2],
      ]);
      expect(await days("/orgs/acme-org/team/four/copilot/metrics")).toEqual([]);
      expect(await days("/enterprises/acme/team/guild/copilot/metrics", BOSS)).toEqual([]);
    });

    it("never serves today, and only processed days", async () => {
      expect(await days("/enterprises/acme/copilot/metrics?until=2026-11-20", BOSS)).not.toContain(
        "2026-11-20",
      );
      h.clock.set("2026-11-21T00:01:00Z");
      expect(await days("/enterprises/acme/copilot/metrics", BOSS)).toEqual([
        "2026-11-04",
        "2026-11-07",
        "2026-11-12",
      ]);
      await h.process();
      expect(await days("/enterprises/acme/copilot/metrics", BOSS)).toEqual([
        "2026-11-04",
        "2026-11-07",
        "2026-11-12",
        "2026-11-20",
      ]);
      h.clock.set("2026-11-20T12:00:00Z");
    });

    it("reprocesses a closed day that receives a late event, and counts a retried event once", async () => {
      // Read first, so the served answer is cached: reprocessing must replace it.
      const before = await json("/orgs/acme-org/team/five/copilot/metrics");
      expect(before.body.find((d) => d.date === "2026-11-07")).toMatchObject({ total_active_users: 1 });
      const late = ev("a3", "2026-11-07", "completion.accepted", {
        editor: "vscode",
        language: "rust",
        lines: 1,
      });
      expect((await h.send(RELAY, [late])).body).toMatchObject({ accepted: 1, duplicates: 0 });
      expect((await h.send(RELAY, [late])).body).toMatchObject({ accepted: 0, duplicates: 1 });
      expect(await h.process()).toEqual(["2026-11-07"]);
      const { body } = await json(
        "/orgs/acme-org/team/five/copilot/metrics?since=2026-11-07&until=2026-11-07",
      );
      expect(body.map((d) => [d.date, d.total_active_users, d.total_engaged_users])).toEqual([
        ["2026-11-07", 2, 2],
      ]);
      const after = await json("/orgs/acme-org/team/five/copilot/metrics");
      expect(after.body.find((d) => d.date === "2026-11-07")).toMatchObject({ total_active_users: 2 });
      expect(after.res.headers.get("etag")).not.toBe(before.res.headers.get("etag"));
    });

    it("applies since and until by UTC day, clamps since to the window, and pages with GitHub's Link header", async () => {
      const ent = "/enterprises/acme/copilot/metrics";
      expect(await days(`${ent}?since=2026-11-05T23:00:00-02:00&until=2026-11-12`, BOSS)).toEqual([
        "2026-11-07",
        "2026-11-12",
      ]);
      expect(await days(`${ent}?since=2020-01-01`, BOSS)).toEqual(["2026-11-04", "2026-11-07", "2026-11-12"]);
      const first = await json(`${ent}?per_page=2`, BOSS);
      expect(first.body.map((d) => d.date)).toEqual(["2026-11-04", "2026-11-07"]);
      const base = `${h.url}${ent}`;
      expect(first.res.headers.get("link")).toBe(
        `<${base}?per_page=2&page=2>; rel="next", <${base}?per_page=2&page=2>; rel="last"`,
      );
      const second = await json(`${ent}?per_page=2&page=2`, BOSS);
      expect(second.body.map((d) => d.date)).toEqual(["2026-11-12"]);
      expect(second.res.headers.get("link")).toBe(
        `<${base}?per_page=2&page=1>; rel="prev", <${base}?per_page=2&page=1>; rel="first"`,
      );
      expect((await json(`${ent}?per_page=2&page=3`, BOSS)).body).toEqual([]);
      expect((await json(ent, BOSS)).res.headers.get("link")).toBeNull();
    });

    it("answers bad since/until with 422 Validation Failed naming the parameter", async () => {
      const bad = await json("/orgs/acme-org/copilot/metrics?since=yesterday");
      expect(bad.res.status).toBe(422);
      expect(bad.body).toMatchObject({
        message: "Validation Failed",
        status: "422",
        errors: [{ field: "since", code: "invalid" }],
      });
      const reversed = await json("/orgs/acme-org/copilot/metrics?since=2026-11-10&until=2026-11-01");
      expect(reversed.res.status).toBe(422);
      expect(reversed.body).toMatchObject({ errors: [{ field: "until", code: "invalid" }] });
    });

    it("answers 401, 403, 404 and 422 as the access table says", async () => {
      const none = await json("/orgs/acme-org/copilot/metrics", "");
      expect([none.res.status, none.body.message]).toEqual([401, "Requires authentication"]);
      const bad = await json("/orgs/acme-org/copilot/metrics", "nope");
      expect([bad.res.status, bad.body.message]).toEqual([401, "Bad credentials"]);
      expect((await json("/orgs/no-such-org/copilot/metrics")).res.status).toBe(404);
      expect((await json("/orgs/acme-org/team/nope/copilot/metrics")).res.status).toBe(404);
      expect((await json("/enterprises/nope/copilot/metrics", BOSS)).res.status).toBe(404);
      const forbidden = await json("/enterprises/acme/copilot/metrics", OWNER);
      expect(forbidden.res.status).toBe(403);
      expect(forbidden.res.headers.get("x-oauth-scopes")).toBe("read:org");
      expect(forbidden.res.headers.get("x-accepted-oauth-scopes")).toBe(
        "manage_billing:copilot, read:enterprise",
      );
      expect((await json("/orgs/acme-org/copilot/metrics", RELAY)).res.status).toBe(403);
      const disabled = await json("/orgs/other-org/copilot/metrics", "tok_owner2_classic");
      expect(disabled.res.status).toBe(422);
      // The enterprise owner reads the organization's metrics too.
      expect((await json("/orgs/ACME-ORG/copilot/metrics", BOSS)).res.status).toBe(200);
    });

    it("sends an ETag and answers a matching If-None-Match with 304 and no body", async () => {
      const first = await h.get("/orgs/acme-org/copilot/metrics", OWNER);
      const etag = first.headers.get("etag")!;
      expect(etag).toMatch(/^W\/"[0-9a-f]{64}"$/);
      const again = await h.get("/orgs/acme-org/copilot/metrics", OWNER, { "if-none-match": etag });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe("");
      expect(first.headers.get("x-github-request-id")).toMatch(/^[0-9A-F]{4}:/);
      expect(first.headers.get("x-github-api-version-selected")).toBe("2022-11-28");
    });

    it("answers under /api/v3 too", async () => {
      expect(await days("/api/v3/orgs/acme-org/copilot/metrics")).toEqual(["2026-11-04", "2026-11-12"]);
    });

    it("works with @octokit/rest as a real client", async () => {
      const octokit = new Octokit({ baseUrl: h.url, auth: OWNER });
      const org = await octokit.rest.copilot.copilotMetricsForOrganization({ org: "acme-org" });
      expect(org.data.map((d) => d.date)).toEqual(["2026-11-04", "2026-11-12"]);
      const team = await octokit.rest.copilot.copilotMetricsForTeam({ org: "acme-org", team_slug: "five" });
      expect(team.data).toHaveLength(3);
      const paged = await octokit.paginate(octokit.rest.copilot.copilotMetricsForTeam, {
        org: "acme-org",
        team_slug: "five",
        per_page: 1,
      });
      expect(paged.map((d) => d.date)).toEqual(["2026-11-04", "2026-11-07", "2026-11-12"]);
      const boss = new Octokit({ baseUrl: h.url, auth: BOSS });
      const ent = await boss.request("GET /enterprises/{enterprise}/copilot/metrics", { enterprise: "acme" });
      expect((ent.data as { date: string }[]).map((d) => d.date)).toEqual([
        "2026-11-04",
        "2026-11-07",
        "2026-11-12",
      ]);
      await expect(
        octokit.rest.copilot.copilotMetricsForOrganization({ org: "acme-org", since: "bad" }),
      ).rejects.toMatchObject({ status: 422 });
    });
  });
}

for (const backend of backends) {
  describe(`apply on ${backend.name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, "2026-11-20T12:00:00Z");
    });
    afterAll(() => h?.close());

    it("is idempotent, changes exactly what differs, and marks the days a membership change alters", async () => {
      const first = await h.apply(DIRECTORY);
      expect(first.changed).toBe(true);
      expect(first.organizations).toEqual({ created: 2, updated: 0 });
      expect(first.teams).toEqual({ created: 3, updated: 0, removed: 0 });
      const again = await h.apply(DIRECTORY);
      expect(again.changed).toBe(false);
      expect(again.dirtyDays).toEqual([]);
      await h.process();
      // ann joins team five for 11-15 … 11-17, and team four is renamed: three days change.
      const changed = DIRECTORY.replace(
        "members: [a1, a2, a3, a4, joiner]",
        "members: [a1, a2, a3, a4, joiner, { login: ann, since: 2026-11-15, until: 2026-11-17 }]",
      ).replace("- slug: four", "- slug: four\n        name: Four");
      const third = await h.apply(changed);
      expect(third.grants).toEqual({ added: 1, removed: 0 });
      expect(third.teams).toEqual({ created: 0, updated: 1, removed: 0 });
      expect(third.dirtyDays).toEqual(["2026-11-15", "2026-11-16", "2026-11-17"]);
      expect(await h.process()).toEqual(["2026-11-15", "2026-11-16", "2026-11-17"]);
    });
  });
}

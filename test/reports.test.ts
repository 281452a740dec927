import { get as httpGet } from "node:http";
import { gunzipSync } from "node:zlib";
import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";
import { assertLinkAnswer, documentedStatuses, REPORT_PATHS } from "./helpers/reports-schema.js";
import { assertErrorBody } from "./helpers/schema.js";

/*
 * The usage-metrics report routes (usage-metrics-reports.md) over one small world, every expectation worked out by
 * hand. Today is 2026-11-20; processing covers 2026-10-23 … 2026-11-19.
 *
 * Acme-Org (enterprise acme) has a1–a5, all seated. Team "five" (a1–a5) passes the 5-seat threshold, team "four"
 * (a1–a4) and enterprise team "guild" (a1, a2) do not.
 *   11-12  a4: IDE chat prompt, ask mode
 *   11-18  a5: a Claude Code session (3 prompts)
 *   11-19  a1: completion suggested (go, 4 lines, vscode 1.99.0) and accepted (3 lines), agent-mode prompt
 *          a2: CLI session (2 prompts, 2 requests, 3800 prompt + 5000 output tokens, CLI 1.0.8)
 *          a3: an `activity` event only (active, no record)
 */
const DIRECTORY = `
enterprises:
  - slug: acme
    owners: [boss]
    teams:
      - slug: guild
        members: [a1, a2]
organizations:
  - login: Acme-Org
    enterprise: acme
    owners: [owner1]
    members: [a1, a2, a3, a4, a5]
    seats: [a1, a2, a3, a4, a5]
    teams:
      - slug: five
        members: [a1, a2, a3, a4, a5]
      - slug: four
        members: [a1, a2, a3, a4]
  - login: off-org
    copilot_metrics_policy: disabled
    owners: [owner2]
    members: [b1]
tokens:
  - { token: tok_owner1, user: owner1, kind: classic, scopes: [read:org] }
  - { token: tok_boss, user: boss, kind: classic, scopes: [read:enterprise] }
  - { token: tok_owner2, user: owner2, kind: classic, scopes: [read:org] }
  - { token: tok_member, user: a1, kind: classic, scopes: [read:org] }
  - { token: tok_fg_metrics, user: owner1, kind: fine_grained, resource_owner: Acme-Org, permissions: { organization_copilot_metrics: read } }
  - { token: tok_fg_admin, user: owner1, kind: fine_grained, resource_owner: Acme-Org, permissions: { administration: read } }
  - { token: tok_relay, kind: ingest }
`;

let seq = 0;
const ev = (user: string, day: string, type: string, fields: object = {}) => ({
  id: `r-${++seq}`,
  type,
  user,
  timestamp: `${day}T10:00:00Z`,
  ...fields,
});

const C = (uic: number, gen: number, acc: number, sug: number, added: number, del: number) => ({
  user_initiated_interaction_count: uic,
  code_generation_activity_count: gen,
  code_acceptance_activity_count: acc,
  loc_suggested_to_add_sum: sug,
  loc_suggested_to_delete_sum: 0,
  loc_added_sum: added,
  loc_deleted_sum: del,
});
const { user_initiated_interaction_count: _u, ...SIX_COMPLETION } = C(0, 1, 1, 4, 3, 0);

/** Downloads a link the way every client does: a plain GET, no Authorization. */
async function download(link: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(link);
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

/** A GET with `Accept-Encoding: gzip` and the raw bytes, undecoded. */
function rawGzip(link: string): Promise<{ encoding: string | undefined; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(link, { headers: { "accept-encoding": "gzip" } }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () =>
        resolve({ encoding: res.headers["content-encoding"], bytes: Buffer.concat(parts) }),
      );
    }).on("error", reject);
  });
}

const lines = (text: string) =>
  text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

for (const backend of backends) {
  describe(`usage-metrics reports on ${backend.name}`, () => {
    let h: Harness;
    let ids: { org: string; ent: string; a1: number; a2: number; five: number };
    const kit = (token?: string) => new Octokit({ baseUrl: h.url, ...(token ? { auth: token } : {}) });
    const links = async (path: string, token = "tok_owner1", query: Record<string, string> = {}) => {
      const res = await kit(token).request(`GET ${path}`, query);
      assertLinkAnswer(path, res.data);
      return res.data as { download_links: string[]; report_day?: string; report_start_day?: string };
    };
    const fileText = async (path: string, query: Record<string, string> = {}, token = "tok_owner1") => {
      const answer = await links(path, token, query);
      let text = "";
      for (const l of answer.download_links) {
        const d = await download(l);
        expect(d.status).toBe(200);
        text += d.text;
      }
      return text;
    };
    const status = async (path: string, token?: string, headers: Record<string, string> = {}) => {
      const res = await h.get(path, token, headers);
      const text = await res.text();
      if (res.status >= 400) assertErrorBody(JSON.parse(text));
      return { status: res.status, text, res };
    };

    beforeAll(async () => {
      h = await startHarness(backend, "2026-11-20T12:00:00Z", 28, 0, {
        linkTtlMs: 3_600_000,
        fileRecords: 2,
        retentionDays: 365,
      });
      await h.apply(DIRECTORY);
      const sent = await h.send("tok_relay", [
        ev("a4", "2026-11-12", "chat.prompted", { surface: "ide", editor: "vscode", mode: "ask" }),
        ev("a5", "2026-11-18", "agent.session", {
          agent_id: "claude-code",
          agent_name: "Claude Code",
          prompts: 3,
        }),
        ev("a1", "2026-11-19", "completion.suggested", {
          editor: "vscode",
          language: "go",
          lines: 4,
          editor_version: "1.99.0",
        }),
        ev("a1", "2026-11-19", "completion.accepted", { editor: "vscode", language: "go", lines: 3 }),
        ev("a1", "2026-11-19", "chat.prompted", { surface: "ide", editor: "vscode", mode: "agent" }),
        ev("a2", "2026-11-19", "cli.session", {
          prompts: 2,
          requests: 2,
          prompt_tokens: 3800,
          output_tokens: 5000,
          cli_version: "1.0.8",
        }),
        ev("a3", "2026-11-19", "activity"),
      ]);
      expect(sent.body).toMatchObject({ accepted: 7, rejected: [] });
      await h.process();
      const q = async (sql: string) => (await h.db.query<{ id: number }>(sql))[0]!.id;
      ids = {
        org: String(await q("SELECT id FROM organizations WHERE login = 'Acme-Org'")),
        ent: String(await q("SELECT id FROM enterprises WHERE slug = 'acme'")),
        a1: await q("SELECT id FROM users WHERE login = 'a1'"),
        a2: await q("SELECT id FROM users WHERE login = 'a2'"),
        five: await q("SELECT id FROM teams WHERE slug = 'five'"),
      };
    });
    afterAll(() => h?.close());

    it("serves all twelve routes of GitHub's description, and only those", () => {
      expect(REPORT_PATHS).toHaveLength(12);
    });

    it("writes each user-day record of a day, ordered by login, from one pass with the legacy document", async () => {
      const path = "/orgs/{org}/copilot/metrics/reports/users-1-day";
      const answer = await links(path, "tok_owner1", { org: "acme-org", day: "2026-11-19" });
      expect(answer.report_day).toBe("2026-11-19");
      expect(answer.download_links).toHaveLength(1);
      expect(answer.download_links[0]!.startsWith(`${h.url}/`)).toBe(true);
      const file = await download(answer.download_links[0]!);
      expect(file.type).toBe("application/x-ndjson");
      expect(lines(file.text)).toEqual([
        {
          day: "2026-11-19",
          organization_id: ids.org,
          enterprise_id: ids.ent,
          user_id: ids.a1,
          user_login: "a1",
          ...C(1, 1, 1, 4, 3, 0),
          used_agent: true,
          used_chat: true,
          used_cli: false,
          totals_by_ide: [
            {
              ide: "vscode",
              ...C(1, 1, 1, 4, 3, 0),
              last_known_ide_version: { ide_version: "1.99.0", sampled_at: "2026-11-19T10:00:00.000Z" },
            },
          ],
          totals_by_feature: [
            { feature: "chat_panel_agent_mode", ...C(1, 0, 0, 0, 0, 0) },
            { feature: "code_completion", ...C(0, 1, 1, 4, 3, 0) },
          ],
          totals_by_language_feature: [{ language: "go", feature: "code_completion", ...SIX_COMPLETION }],
          totals_by_language_model: [],
          totals_by_model_feature: [
            { model: "default", feature: "chat_panel_agent_mode", ...C(1, 0, 0, 0, 0, 0) },
          ],
          totals_by_3rd_party_agent: [],
        },
        {
          day: "2026-11-19",
          organization_id: ids.org,
          enterprise_id: ids.ent,
          user_id: ids.a2,
          user_login: "a2",
          ...C(2, 0, 0, 0, 0, 0),
          used_agent: false,
          used_chat: false,
          used_cli: true,
          totals_by_ide: [],
          totals_by_feature: [{ feature: "copilot_cli", ...C(2, 0, 0, 0, 0, 0) }],
          totals_by_language_feature: [],
          totals_by_language_model: [],
          totals_by_model_feature: [],
          totals_by_cli: {
            session_count: 1,
            request_count: 2,
            prompt_count: 2,
            token_usage: { output_tokens_sum: 5000, prompt_tokens_sum: 3800, avg_tokens_per_request: 4400 },
            last_known_cli_version: { cli_version: "1.0.8", sampled_at: "2026-11-19T10:00:00.000Z" },
          },
          totals_by_3rd_party_agent: [],
        },
      ]);
      // The enterprise's records are the same with the enterprise's id only.
      const ent = lines(
        await fileText(
          "/enterprises/{enterprise}/copilot/metrics/reports/users-1-day",
          { enterprise: "acme", day: "2026-11-19" },
          "tok_boss",
        ),
      );
      expect(ent.map((r) => [r.user_login, r.enterprise_id, "organization_id" in r])).toEqual([
        ["a1", ids.ent, false],
        ["a2", ids.ent, false],
      ]);
      // Cross-generation identities with the legacy document of the same day.
      const legacy = (await (await h.get("/orgs/acme-org/copilot/metrics", "tok_owner1")).json()) as {
        date: string;
        total_active_users: number;
      }[];
      expect(legacy.find((d) => d.date === "2026-11-19")?.total_active_users).toBe(3);
    });

    it("aggregates a day with 7- and 28-day distinct users, and zero-activity days keep the 28-day counts", async () => {
      const day = JSON.parse(
        await fileText("/orgs/{org}/copilot/metrics/reports/organization-1-day", {
          org: "acme-org",
          day: "2026-11-19",
        }),
      );
      expect(day).toEqual({
        day: "2026-11-19",
        organization_id: ids.org,
        daily_active_users: 3, // a1, a2, a3
        weekly_active_users: 4, // + a5 (11-18)
        monthly_active_users: 5, // + a4 (11-12)
        monthly_active_chat_users: 2, // a1 (agent mode), a4 (ask)
        monthly_active_agent_users: 1, // a1
        daily_active_cli_users: 1, // a2
        ...C(3, 1, 1, 4, 3, 0),
        totals_by_ide: [{ ide: "vscode", ...C(1, 1, 1, 4, 3, 0) }],
        totals_by_feature: [
          { feature: "chat_panel_agent_mode", ...C(1, 0, 0, 0, 0, 0) },
          { feature: "code_completion", ...C(0, 1, 1, 4, 3, 0) },
          { feature: "copilot_cli", ...C(2, 0, 0, 0, 0, 0) },
        ],
        totals_by_language_feature: [{ language: "go", feature: "code_completion", ...SIX_COMPLETION }],
        totals_by_language_model: [],
        totals_by_model_feature: [
          { model: "default", feature: "chat_panel_agent_mode", ...C(1, 0, 0, 0, 0, 0) },
        ],
        totals_by_cli: {
          session_count: 1,
          request_count: 2,
          prompt_count: 2,
          token_usage: { output_tokens_sum: 5000, prompt_tokens_sum: 3800, avg_tokens_per_request: 4400 },
        },
        totals_by_3rd_party_agent: [],
      });
      const quiet = JSON.parse(
        await fileText("/orgs/{org}/copilot/metrics/reports/organization-1-day", {
          org: "acme-org",
          day: "2026-11-15",
        }),
      );
      expect(quiet).toEqual({
        day: "2026-11-15",
        organization_id: ids.org,
        daily_active_users: 0,
        weekly_active_users: 1, // a4 on 11-12
        monthly_active_users: 1,
        monthly_active_chat_users: 1,
        monthly_active_agent_users: 0,
        ...C(0, 0, 0, 0, 0, 0),
        totals_by_ide: [],
        totals_by_feature: [],
        totals_by_language_feature: [],
        totals_by_language_model: [],
        totals_by_model_feature: [],
        totals_by_3rd_party_agent: [],
      });
      const ent = JSON.parse(
        await fileText(
          "/enterprises/{enterprise}/copilot/metrics/reports/enterprise-1-day",
          { enterprise: "acme", day: "2026-11-18" },
          "tok_boss",
        ),
      );
      expect(ent).toMatchObject({
        day: "2026-11-18",
        enterprise_id: ids.ent,
        daily_active_users: 1,
        weekly_active_users: 2, // a4 (11-12), a5
        totals_by_3rd_party_agent: [
          {
            agent_id: "claude-code",
            agent_name: "Claude Code",
            user_initiated_interaction_count: 3,
            session_count: 1,
          },
        ],
      });
    });

    it("wraps 28 days of aggregates, ascending, with zero records for quiet days", async () => {
      const path = "/orgs/{org}/copilot/metrics/reports/organization-28-day/latest";
      const answer = await links(path, "tok_owner1", { org: "acme-org" });
      expect([answer.report_start_day, (answer as { report_end_day?: string }).report_end_day]).toEqual([
        "2026-10-23",
        "2026-11-19",
      ]);
      const file = await download(answer.download_links[0]!);
      expect(file.type).toBe("application/json; charset=utf-8");
      const w = JSON.parse(file.text) as { day_totals: Record<string, unknown>[] } & Record<string, unknown>;
      expect(Object.keys(w)).toEqual([
        "report_start_day",
        "report_end_day",
        "organization_id",
        "created_at",
        "day_totals",
      ]);
      expect(w.created_at).toBe("2026-11-20T00:00:00.000Z");
      expect(w.day_totals.map((d) => d.day)).toHaveLength(28);
      expect(w.day_totals[0]).toMatchObject({
        day: "2026-10-23",
        daily_active_users: 0,
        monthly_active_users: 0,
      });
      expect(w.day_totals[27]).toMatchObject({
        day: "2026-11-19",
        daily_active_users: 3,
        weekly_active_users: 4,
      });
    });

    it("splits a report past --report-file-records between users; the concatenation is ordered by login, then day", async () => {
      const path = "/orgs/{org}/copilot/metrics/reports/users-28-day/latest";
      const answer = await links(path, "tok_owner1", { org: "acme-org" });
      expect(answer.download_links).toHaveLength(2);
      const records = [];
      for (const l of answer.download_links) records.push(lines((await download(l)).text));
      expect(records.map((f) => f.map((r) => `${r.user_login} ${r.day}`))).toEqual([
        ["a1 2026-11-19", "a2 2026-11-19"],
        ["a4 2026-11-12", "a5 2026-11-18"],
      ]);
      expect(records[0]![0]).toMatchObject({ report_start_day: "2026-10-23", report_end_day: "2026-11-19" });
      expect(Object.keys(records[0]![0]!).slice(0, 3)).toEqual(["day", "report_start_day", "report_end_day"]);
    });

    it("lists each user with a record in each team of the scope that passes the 5-seat threshold", async () => {
      const org = lines(
        await fileText("/orgs/{org}/copilot/metrics/reports/user-teams-1-day", {
          org: "acme-org",
          day: "2026-11-19",
        }),
      );
      expect(org).toEqual([
        {
          user_id: ids.a1,
          user_login: "a1",
          day: "2026-11-19",
          organization_id: ids.org,
          team_id: ids.five,
          slug: "five",
        },
        {
          user_id: ids.a2,
          user_login: "a2",
          day: "2026-11-19",
          organization_id: ids.org,
          team_id: ids.five,
          slug: "five",
        },
      ]);
      const ent = lines(
        await fileText(
          "/enterprises/{enterprise}/copilot/metrics/reports/user-teams-1-day",
          { enterprise: "acme", day: "2026-11-19" },
          "tok_boss",
        ),
      );
      // guild (2 seated members) is left out.
      expect(ent.map((r) => [r.slug, r.user_login, r.enterprise_id])).toEqual([
        ["five", "a1", ids.ent],
        ["five", "a2", ids.ent],
      ]);
    });

    it("answers 204 for a day without records and for repositories, 422 for a bad day, 404 naming the available days", async () => {
      expect(
        (await status("/orgs/acme-org/copilot/metrics/reports/users-1-day?day=2026-11-15", "tok_owner1"))
          .status,
      ).toBe(204);
      expect(
        (await status("/orgs/acme-org/copilot/metrics/reports/user-teams-1-day?day=2026-11-15", "tok_owner1"))
          .status,
      ).toBe(204);
      expect(
        (await status("/orgs/acme-org/copilot/metrics/reports/repos-1-day?day=2026-11-19", "tok_owner1"))
          .status,
      ).toBe(204);
      expect(documentedStatuses("/orgs/{org}/copilot/metrics/reports/repos-1-day")).toContain("204");
      const missing = await status("/orgs/acme-org/copilot/metrics/reports/users-1-day", "tok_owner1");
      expect(missing.status).toBe(422);
      expect(JSON.parse(missing.text)).toMatchObject({
        message: "Validation Failed",
        errors: [{ field: "day", code: "missing_field" }],
      });
      const bad = await status(
        "/orgs/acme-org/copilot/metrics/reports/users-1-day?day=2026-02-30",
        "tok_owner1",
      );
      expect(bad.status).toBe(422);
      expect(JSON.parse(bad.text).errors[0]).toMatchObject({ field: "day", code: "invalid" });
      const today = await status(
        "/enterprises/acme/copilot/metrics/reports/enterprise-1-day?day=2026-11-20",
        "tok_boss",
      );
      expect(today.status).toBe(404);
      expect(JSON.parse(today.text).message).toContain("Available days: 2026-10-23 to 2026-11-19.");
    });

    it("follows GitHub's access rules and answers 403 naming the policy", async () => {
      const org = "/orgs/acme-org/copilot/metrics/reports/organization-1-day?day=2026-11-19";
      expect((await status(org)).status).toBe(401);
      expect((await status(org, "nope")).status).toBe(401);
      expect(
        (await status("/orgs/nobody/copilot/metrics/reports/organization-1-day?day=2026-11-19", "tok_owner1"))
          .status,
      ).toBe(404);
      expect((await status(org, "tok_member")).status).toBe(403);
      expect((await status(org, "tok_fg_admin")).status).toBe(403);
      expect((await status(org, "tok_fg_metrics")).status).toBe(200);
      expect((await status(org, "tok_boss")).status).toBe(200);
      const ent = "/enterprises/acme/copilot/metrics/reports/users-28-day/latest";
      expect((await status(ent, "tok_owner1")).status).toBe(403);
      expect((await status(ent, "tok_fg_metrics")).status).toBe(403);
      const policy = await status(
        "/orgs/off-org/copilot/metrics/reports/organization-28-day/latest",
        "tok_owner2",
      );
      expect(policy.status).toBe(403);
      expect(JSON.parse(policy.text).message).toContain("copilot_metrics_policy");
      const v3 = await status(`/api/v3${org}`, "tok_owner1", { "x-github-api-version": "2026-03-10" });
      expect(v3.status).toBe(200);
      expect(v3.res.headers.get("x-github-api-version-selected")).toBe("2026-03-10");
    });

    it("signs links: no credentials needed, byte-equal and gzipped on request, 403 once altered or expired", async () => {
      const answer = await links("/orgs/{org}/copilot/metrics/reports/users-1-day", "tok_owner1", {
        org: "acme-org",
        day: "2026-11-19",
      });
      const link = answer.download_links[0]!;
      const plain = await download(link);
      const again = await links("/orgs/{org}/copilot/metrics/reports/users-1-day", "tok_owner1", {
        org: "acme-org",
        day: "2026-11-19",
      });
      expect((await download(again.download_links[0]!)).text).toBe(plain.text);
      const gz = await rawGzip(link);
      expect(gz.encoding).toBe("gzip");
      expect(gunzipSync(gz.bytes).toString()).toBe(plain.text);
      expect((await rawGzip(link)).bytes.equals(gz.bytes)).toBe(true);
      const url = new URL(link);
      const sig = url.searchParams.get("signature")!;
      url.searchParams.set("signature", `${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`);
      const altered = await download(url.toString());
      expect(altered.status).toBe(403);
      assertErrorBody(JSON.parse(altered.text));
      const later = new URL(link);
      later.searchParams.set("expires", String(Number(later.searchParams.get("expires")) + 3600));
      expect((await download(later.toString())).status).toBe(403);
      h.clock.set("2026-11-20T13:00:01Z");
      try {
        expect((await download(link)).status).toBe(403);
      } finally {
        h.clock.set("2026-11-20T12:00:00Z");
      }
    });

    it("recounts the 7-day users of later days when an earlier day is processed again", async () => {
      const sent = await h.send("tok_relay", [
        ev("a4", "2026-11-14", "chat.prompted", { surface: "ide", editor: "vscode", mode: "ask" }),
      ]);
      expect(sent.body).toMatchObject({ accepted: 1 });
      expect(await h.process()).toEqual(["2026-11-14"]);
      const day = JSON.parse(
        await fileText("/orgs/{org}/copilot/metrics/reports/organization-1-day", {
          org: "acme-org",
          day: "2026-11-19",
        }),
      );
      expect(day).toMatchObject({
        weekly_active_users: 5,
        monthly_active_users: 5,
        monthly_active_chat_users: 2,
      });
    });
  });
}

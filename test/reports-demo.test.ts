import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Aggregate28DayFile, AggregateDayRecord, UserDayRecord, UserTeamRow } from "../src/reports/shapes.js";
import type { DayDocument } from "../src/rollup/document.js";
import { compile } from "../src/schemas/ajv.js";
import { buildWorld, simulate, worldDirectory } from "../src/simulate/index.js";
import { dayRange } from "../src/util/time.js";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";

/*
 * The demo world through the real pipeline: the cross-generation identities of usage-metrics-reports.md
 * ("Consistency that tests can rely on") for every organization, the enterprise and every day, and a client that
 * reads the reports the way copilot-metrics-viewer does (links fetched without credentials, multi-file reports
 * concatenated, records keyed by user_login and day, aggregates as day_totals).
 */
const TODAY = "2026-11-20";
const world = buildWorld({ users: 160, seed: "demo", today: TODAY });

type Rec = Record<string, unknown> & {
  user_login: string;
  day: string;
  totals_by_feature: ({ feature: string } & Record<string, number>)[];
};

for (const backend of backends) {
  describe(`reports of the demo world on ${backend.name}`, { timeout: 120_000 }, () => {
    let h: Harness;
    const token = world.tokens.enterprise_owner;

    /** The report's files: fetched with no Authorization and concatenated, as the viewer does. */
    async function report(
      path: string,
      day?: string,
    ): Promise<{ status: number; text: string; files: number }> {
      const res = await h.get(day ? `${path}?day=${day}` : path, token);
      if (res.status === 204) return { status: 204, text: "", files: 0 };
      expect(res.status).toBe(200);
      const { download_links } = (await res.json()) as { download_links: string[] };
      let text = "";
      for (const link of download_links) {
        const file = await fetch(link);
        expect(file.status).toBe(200);
        text += await file.text();
      }
      return { status: 200, text, files: download_links.length };
    }
    const ndjson = (text: string) =>
      text
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as Rec);

    beforeAll(async () => {
      h = await startHarness(backend, `${TODAY}T12:00:00Z`, 28, 0, {
        linkTtlMs: 3_600_000,
        fileRecords: 400,
        retentionDays: 365,
      });
      await h.apply(JSON.stringify(worldDirectory(world)));
      for (const { events } of simulate(world))
        for (let i = 0; i < events.length; i += 5000) {
          const sent = await h.send(world.tokens.relay, events.slice(i, i + 5000));
          if (sent.status !== 202) throw new Error(JSON.stringify(sent.body));
        }
      await h.process();
    }, 300_000);
    afterAll(() => h?.close());

    it("holds the identities with the legacy documents for every org, the enterprise and every day", async () => {
      const scopes = [
        ...world.orgs
          .filter((o) => o.policy === "enabled")
          .map((o) => ({
            legacy: `/orgs/${o.login}/copilot/metrics`,
            reports: `/orgs/${o.login}/copilot/metrics/reports`,
            agg: "organization",
          })),
        {
          legacy: `/enterprises/${world.enterprise}/copilot/metrics`,
          reports: `/enterprises/${world.enterprise}/copilot/metrics/reports`,
          agg: "enterprise",
        },
      ];
      let checked = 0;
      for (const s of scopes) {
        const docs = (await (await h.get(s.legacy, token)).json()) as DayDocument[];
        const byDay = new Map(docs.map((d) => [d.date, d]));
        for (const day of dayRange("2026-10-23", "2026-11-19")) {
          const users = await report(`${s.reports}/users-1-day`, day);
          const records = ndjson(users.text);
          const agg = JSON.parse((await report(`${s.reports}/${s.agg}-1-day`, day)).text) as Record<
            string,
            number
          >;
          const doc = byDay.get(day);
          if (!doc) {
            // Left out of the legacy answer: no active user, or (orgs) under the seat threshold.
            if (s.agg === "enterprise") expect(agg.daily_active_users).toBe(0);
            continue;
          }
          const sum = (field: string) =>
            records.reduce(
              (n, r) => n + (r.totals_by_feature.find((f) => f.feature === "code_completion")?.[field] ?? 0),
              0,
            );
          const leaves = (doc.copilot_ide_code_completions.editors ?? []).flatMap((e) =>
            e.models.flatMap((m) => m.languages),
          );
          const legacy = (
            k:
              | "total_code_suggestions"
              | "total_code_acceptances"
              | "total_code_lines_suggested"
              | "total_code_lines_accepted",
          ) => leaves.reduce((n, l) => n + l[k], 0);
          expect(sum("code_generation_activity_count")).toBe(legacy("total_code_suggestions"));
          expect(sum("code_acceptance_activity_count")).toBe(legacy("total_code_acceptances"));
          expect(sum("loc_suggested_to_add_sum")).toBe(legacy("total_code_lines_suggested"));
          expect(sum("loc_added_sum")).toBe(legacy("total_code_lines_accepted"));
          expect(agg.daily_active_users).toBe(doc.total_active_users);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(30);
    });

    it("writes every record, aggregate and user-team row exactly in the declared shapes (src/reports/shapes.ts)", async () => {
      const checks = [
        ["users-28-day/latest", compile(UserDayRecord), "ndjson"],
        ["user-teams-1-day?day=2026-11-19", compile(UserTeamRow), "ndjson"],
        ["ORG-1-day?day=2026-11-19", compile(AggregateDayRecord), "json"],
        ["ORG-28-day/latest", compile(Aggregate28DayFile), "json"],
      ] as const;
      const bases = [
        ...world.orgs
          .filter((o) => o.policy === "enabled")
          .map((o) => ({ path: `/orgs/${o.login}/copilot/metrics/reports`, agg: "organization" })),
        { path: `/enterprises/${world.enterprise}/copilot/metrics/reports`, agg: "enterprise" },
      ];
      let lines = 0;
      for (const base of bases)
        for (const [route, check, kind] of checks) {
          const [path, day] = route.replace("ORG", base.agg).split("?day=") as [string, string | undefined];
          const file = await report(`${base.path}/${path}`, day);
          if (file.status === 204) continue;
          const values = kind === "ndjson" ? ndjson(file.text) : [JSON.parse(file.text) as unknown];
          for (const v of values) {
            if (!check(v)) expect({ route, value: v, errors: check.errors }).toBeUndefined();
            lines++;
          }
        }
      expect(lines).toBeGreaterThan(500);
    });

    it("reads like copilot-metrics-viewer: concatenated user files with user_login and day, day_totals for aggregates", async () => {
      const base = `/enterprises/${world.enterprise}/copilot/metrics/reports`;
      const users = await report(`${base}/users-28-day/latest`);
      expect(users.files).toBeGreaterThan(1);
      const records = ndjson(users.text);
      expect(records.length).toBeGreaterThan(400);
      for (const r of records) {
        expect(typeof r.user_login).toBe("string");
        expect(r.day >= "2026-10-23" && r.day <= "2026-11-19").toBe(true);
      }
      const keys = records.map((r) => `${r.user_login}\u0000${r.day}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(keys);
      // Every v1.1 activity of the simulator shows: chat modes, agent edits, the CLI and a third-party agent.
      const features = new Set(records.flatMap((r) => r.totals_by_feature.map((f) => f.feature)));
      for (const f of [
        "code_completion",
        "chat_panel_agent_mode",
        "chat_panel_ask_mode",
        "chat_inline",
        "agent_edit",
        "copilot_cli",
      ])
        expect(features).toContain(f);
      expect(records.some((r) => (r.totals_by_3rd_party_agent as unknown[]).length > 0)).toBe(true);
      expect(records.some((r) => r.used_cli === true && r.used_agent === true)).toBe(true);
      const agg = JSON.parse((await report(`${base}/enterprise-28-day/latest`)).text) as {
        day_totals: Record<string, number>[];
      };
      expect(agg.day_totals).toHaveLength(28);
      expect(
        agg.day_totals.some(
          (d) => (d.monthly_active_agent_users ?? 0) > 0 && (d.daily_active_cli_users ?? 0) > 0,
        ),
      ).toBe(true);
      // The same data gives the same bytes.
      expect((await report(`${base}/users-28-day/latest`)).text).toBe(users.text);
    });
  });
}

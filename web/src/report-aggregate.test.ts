import { describe, expect, it } from "vitest";
import { parseNdjson } from "./ndjson.js";
import {
  agentEdits,
  chatByMode,
  cliActivity,
  sortUserRows,
  thirdPartyAgents,
  userRows,
} from "./report-aggregate.js";
import type { FeatureTotals, UserDayRecord } from "./report-types.js";

const c = (i: number, g: number, a: number, ls: number, la: number, ld: number) => ({
  user_initiated_interaction_count: i,
  code_generation_activity_count: g,
  code_acceptance_activity_count: a,
  loc_suggested_to_add_sum: ls,
  loc_suggested_to_delete_sum: 0,
  loc_added_sum: la,
  loc_deleted_sum: ld,
});
const f = (feature: string, ...n: Parameters<typeof c>): FeatureTotals => ({ feature, ...c(...n) });

/** A record whose top-level counters are the sum of its features (as the server writes them). */
function record(
  day: string,
  login: string,
  features: FeatureTotals[],
  extra: Partial<UserDayRecord> = {},
): UserDayRecord {
  const sum = (k: keyof ReturnType<typeof c>) => features.reduce((n, x) => n + (x[k] ?? 0), 0);
  return {
    day,
    user_id: login.length,
    user_login: login,
    organization_id: "1",
    user_initiated_interaction_count: sum("user_initiated_interaction_count"),
    code_generation_activity_count: sum("code_generation_activity_count"),
    code_acceptance_activity_count: sum("code_acceptance_activity_count"),
    loc_suggested_to_add_sum: sum("loc_suggested_to_add_sum"),
    loc_suggested_to_delete_sum: 0,
    loc_added_sum: sum("loc_added_sum"),
    loc_deleted_sum: sum("loc_deleted_sum"),
    used_chat: false,
    used_agent: false,
    used_cli: false,
    totals_by_ide: [],
    totals_by_feature: features,
    totals_by_language_feature: [],
    totals_by_language_model: [],
    totals_by_model_feature: [],
    totals_by_3rd_party_agent: [],
    ...extra,
  };
}

const cli = (
  sessions: number,
  requests: number,
  prompts: number,
  promptTokens: number,
  outputTokens: number,
  version?: [string, string],
) => ({
  session_count: sessions,
  request_count: requests,
  prompt_count: prompts,
  token_usage: {
    prompt_tokens_sum: promptTokens,
    output_tokens_sum: outputTokens,
    avg_tokens_per_request: requests ? (promptTokens + outputTokens) / requests : 0,
  },
  ...(version ? { last_known_cli_version: { cli_version: version[0], sampled_at: version[1] } } : {}),
});

/*
 * mona, two days:
 *   11-18: 10 completions suggested, 4 accepted (12 lines suggested, 5 added); 3 ask prompts; 2 agent edits +30 −7.
 *   11-19: 1 accepted completion (2 lines); 2 agent prompts, 1 code block (8 lines), 1 insertion (6 lines);
 *          CLI: 2 sessions, 5 prompts, 4 requests, 3000 + 1400 tokens.
 * Bob, one day (11-19): 1 inline prompt; 1 edit-mode agent edit +4 −1; CLI 1 session, 1 prompt, 2 requests, 600 + 200.
 */
const RECORDS: UserDayRecord[] = [
  record(
    "2026-11-18",
    "mona",
    [
      f("agent_edit", 0, 2, 0, 0, 30, 7),
      f("chat_panel_ask_mode", 3, 0, 0, 0, 0, 0),
      f("code_completion", 0, 10, 4, 12, 5, 0),
    ],
    {
      totals_by_model_feature: [{ model: "gpt-4o", ...c(0, 2, 0, 0, 30, 7), feature: "agent_edit" }],
      totals_by_3rd_party_agent: [
        {
          agent_id: "claude-code",
          agent_name: "Claude",
          user_initiated_interaction_count: 4,
          session_count: 1,
        },
      ],
    },
  ),
  record(
    "2026-11-19",
    "mona",
    [
      f("chat_panel_agent_mode", 2, 1, 1, 8, 6, 0),
      f("code_completion", 0, 1, 1, 2, 2, 0),
      f("copilot_cli", 5, 0, 0, 0, 0, 0),
    ],
    {
      totals_by_cli: cli(2, 4, 5, 3000, 1400, ["1.0.2", "2026-11-19T10:00:00.000Z"]),
      totals_by_3rd_party_agent: [
        {
          agent_id: "claude-code",
          agent_name: "Claude Code",
          user_initiated_interaction_count: 2,
          session_count: 2,
        },
      ],
    },
  ),
  record(
    "2026-11-19",
    "Bob",
    [
      f("agent_edit", 0, 1, 0, 0, 4, 1),
      f("chat_inline", 1, 0, 0, 0, 0, 0),
      f("copilot_cli", 1, 0, 0, 0, 0, 0),
    ],
    {
      totals_by_model_feature: [
        { model: "default", ...c(0, 1, 0, 0, 4, 1), feature: "agent_edit" },
        { model: "gpt-4o", ...c(1, 0, 0, 0, 0, 0), feature: "chat_inline" },
      ],
      totals_by_cli: cli(1, 2, 1, 600, 200, ["1.0.1", "2026-11-19T08:00:00.000Z"]),
      totals_by_3rd_party_agent: [
        {
          agent_id: "gemini-cli",
          agent_name: "Gemini CLI",
          user_initiated_interaction_count: 3,
          session_count: 3,
        },
      ],
    },
  ),
];

describe("report aggregates", () => {
  it("makes one row per user: days with a record, and the range's sums", () => {
    expect(userRows(RECORDS)).toEqual([
      // Bob: 1 inline + 1 CLI prompt = 2; lines added 4 (agent edit), deleted 1.
      {
        login: "Bob",
        activeDays: 1,
        completionsAccepted: 0,
        prompts: 2,
        agentEdits: 1,
        linesAdded: 4,
        linesDeleted: 1,
        cliSessions: 1,
      },
      // mona: accepted 4 + 1; prompts 3 + (2 + 5); edits 2; added 30 + 5 + 6 + 2 = 43; deleted 7; CLI 2.
      {
        login: "mona",
        activeDays: 2,
        completionsAccepted: 5,
        prompts: 10,
        agentEdits: 2,
        linesAdded: 43,
        linesDeleted: 7,
        cliSessions: 2,
      },
    ]);
  });

  it("sorts by any column, ties by login", () => {
    const rows = userRows(RECORDS);
    expect(sortUserRows(rows, "linesAdded", true).map((r) => r.login)).toEqual(["mona", "Bob"]);
    expect(sortUserRows(rows, "linesAdded", false).map((r) => r.login)).toEqual(["Bob", "mona"]);
    expect(sortUserRows(rows, "login", true).map((r) => r.login)).toEqual(["mona", "Bob"]);
    expect(sortUserRows(rows, "cliSessions", true).map((r) => r.login)).toEqual(["mona", "Bob"]);
    // Equal values keep login order whichever the direction.
    const tie = [...rows, { ...rows[0]!, login: "ann" }];
    expect(sortUserRows(tie, "activeDays", true).map((r) => r.login)).toEqual(["mona", "ann", "Bob"]);
  });

  it("sums chat per mode in the table's order, counting each user once", () => {
    expect(chatByMode(RECORDS)).toEqual([
      {
        feature: "chat_panel_ask_mode",
        mode: "Ask",
        prompts: 3,
        generations: 0,
        acceptances: 0,
        linesSuggested: 0,
        linesAdded: 0,
        users: 1,
      },
      {
        feature: "chat_panel_agent_mode",
        mode: "Agent",
        prompts: 2,
        generations: 1,
        acceptances: 1,
        linesSuggested: 8,
        linesAdded: 6,
        users: 1,
      },
      {
        feature: "chat_inline",
        mode: "Inline",
        prompts: 1,
        generations: 0,
        acceptances: 0,
        linesSuggested: 0,
        linesAdded: 0,
        users: 1,
      },
    ]);
  });

  it("sums agent edits in all and per model", () => {
    expect(agentEdits(RECORDS)).toEqual({
      total: { model: "all", edits: 3, linesAdded: 34, linesDeleted: 8, users: 2 },
      byModel: [
        { model: "gpt-4o", edits: 2, linesAdded: 30, linesDeleted: 7, users: 1 },
        { model: "default", edits: 1, linesAdded: 4, linesDeleted: 1, users: 1 },
      ],
    });
  });

  it("sums Copilot CLI and recomputes tokens per request over the range", () => {
    expect(cliActivity(RECORDS)).toEqual({
      users: 2,
      sessions: 3,
      requests: 6,
      prompts: 6,
      promptTokens: 3600,
      outputTokens: 1600,
      // (3600 + 1600) ÷ 6
      avgTokensPerRequest: 5200 / 6,
      versions: [
        { version: "1.0.1", users: 1 },
        { version: "1.0.2", users: 1 },
      ],
    });
    expect(cliActivity(RECORDS.slice(0, 1)).avgTokensPerRequest).toBeNull();
  });

  it("sums third-party agents, named as the latest day names them", () => {
    // 3 sessions each: ordered by agent id then.
    expect(thirdPartyAgents(RECORDS)).toEqual([
      { agentId: "claude-code", name: "Claude Code", prompts: 6, sessions: 3, users: 1 },
      { agentId: "gemini-cli", name: "Gemini CLI", prompts: 3, sessions: 3, users: 1 },
    ]);
  });

  it("parses NDJSON files, blank lines skipped, a broken line named", () => {
    expect(parseNdjson<{ a: number }>('{"a":1}\n\n{"a":2}\n')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(() => parseNdjson('{"a":1}\n{"a":', "f.ndjson")).toThrow(/Line 2 of f.ndjson is not JSON/);
  });
});

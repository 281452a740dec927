import { describe, expect, it } from "vitest";
import type { TelemetryEvent } from "../ingest/event.js";
import { addCounts, factKeyString, foldFacts } from "../ingest/fold.js";
import { validateEvent } from "../ingest/validate.js";
import { versionRows } from "../ingest/versions.js";
import type { FactRow } from "../rollup/facts.js";
import { compareCodePoints } from "./order.js";
import { computeUserDay, serializeUserDay, type VersionFact } from "./record.js";

// Every expected record below is worked out by hand from the events and usage-metrics-reports.md.

const D = "2026-11-19";
const ctx = { now: new Date(`${D}T23:59:00Z`), earliestDay: "2026-10-01" };
let n = 0;
const ev = (o: Record<string, unknown>): TelemetryEvent => {
  const r = validateEvent({ id: `e${n++}`, timestamp: `${D}T10:00:00Z`, ...o }, ctx);
  if (!r.ok) throw new Error(r.message);
  return r.event;
};

/** Folds one user's events the way ingest stores them (facts summed per key, latest version per key). */
function record(events: Record<string, unknown>[], id = { organizationId: 7, enterpriseId: 3 }) {
  const facts = new Map<string, FactRow>();
  const versions = new Map<string, VersionFact>();
  for (const o of events) {
    const e = ev(o);
    for (const f of foldFacts(e)) {
      const k = factKeyString(f);
      const prev = facts.get(k);
      facts.set(k, prev ? { ...prev, ...addCounts(prev, f) } : { userId: 1, ...f });
    }
    for (const v of versionRows(e, 1)) {
      const k = `${v.kind}|${v.key}`;
      const prev = versions.get(k);
      if (!prev || v.at > prev.at) versions.set(k, { kind: v.kind, key: v.key, value: v.value, at: v.at });
    }
  }
  const u = computeUserDay([...facts.values()], [...versions.values()]);
  if (!u) return null;
  return JSON.parse(serializeUserDay(u, { day: D, userId: 1, login: "mona", ...id })) as Record<
    string,
    unknown
  >;
}

/** The seven counters in the spec's order (`six` leaves out user_initiated_interaction_count). */
const C = (uic: number, gen: number, acc: number, sug: number, added: number, del: number) => ({
  user_initiated_interaction_count: uic,
  code_generation_activity_count: gen,
  code_acceptance_activity_count: acc,
  loc_suggested_to_add_sum: sug,
  loc_suggested_to_delete_sum: 0,
  loc_added_sum: added,
  loc_deleted_sum: del,
});
const six = (gen: number, acc: number, sug: number, added: number, del: number) => {
  const { user_initiated_interaction_count: _, ...rest } = C(0, gen, acc, sug, added, del);
  return rest;
};

describe("the user-day record", () => {
  it("reproduces GitHub's example's completion rows and CLI object (5000 + 3800 tokens over 2 requests = 4400)", () => {
    const r = record(
      [
        {
          type: "completion.suggested",
          editor: "vscode",
          language: "unknown",
          lines: 10,
          timestamp: `${D}T00:00:01Z`,
          editor_version: "1.84.0",
        },
        {
          type: "completion.accepted",
          editor: "vscode",
          language: "unknown",
          lines: 8,
          timestamp: `${D}T00:00:02Z`,
          editor_version: "1.85.0",
        },
        {
          type: "cli.session",
          prompts: 1,
          requests: 1,
          prompt_tokens: 1800,
          output_tokens: 2000,
          cli_version: "1.0.7",
          timestamp: `${D}T00:00:50Z`,
        },
        {
          type: "cli.session",
          prompts: 1,
          requests: 1,
          prompt_tokens: 2000,
          output_tokens: 3000,
          cli_version: "1.0.8",
          timestamp: `${D}T00:01:43Z`,
        },
      ],
      { organizationId: null, enterpriseId: 1 } as never,
    )!;
    expect(Object.keys(r).slice(0, 4)).toEqual(["day", "enterprise_id", "user_id", "user_login"]);
    expect(r.enterprise_id).toBe("1");
    expect(r.totals_by_cli).toEqual({
      session_count: 2,
      request_count: 2,
      prompt_count: 2,
      token_usage: { output_tokens_sum: 5000, prompt_tokens_sum: 3800, avg_tokens_per_request: 4400 },
      last_known_cli_version: { cli_version: "1.0.8", sampled_at: `${D}T00:01:43.000Z` },
    });
    expect(r.totals_by_ide).toEqual([
      {
        ide: "vscode",
        ...C(0, 1, 1, 10, 8, 0),
        last_known_ide_version: { ide_version: "1.85.0", sampled_at: `${D}T00:00:02.000Z` },
      },
    ]);
    expect(r.totals_by_language_feature).toEqual([
      { language: "unknown", feature: "code_completion", ...six(1, 1, 10, 8, 0) },
    ]);
    // Our contract counts CLI prompts as user-initiated interactions (GitHub's pre-2026 example did not).
    expect(r.totals_by_feature).toEqual([
      { feature: "code_completion", ...C(0, 1, 1, 10, 8, 0) },
      { feature: "copilot_cli", ...C(2, 0, 0, 0, 0, 0) },
    ]);
    expect([r.used_chat, r.used_agent, r.used_cli]).toEqual([false, false, true]);
    expect([r.totals_by_language_model, r.totals_by_model_feature, r.totals_by_3rd_party_agent]).toEqual([
      [],
      [],
      [],
    ]);
  });

  it("puts every feature and mode in its row, with the model and language arrays and zero entries left out", () => {
    const ide = { editor: "vscode" };
    const r = record([
      { type: "chat.prompted", surface: "ide", ...ide, mode: "ask", language: "go", model: "gpt-4o" },
      { type: "chat.prompted", surface: "ide", ...ide, mode: "inline" },
      { type: "chat.prompted", surface: "ide", ...ide },
      { type: "chat.prompted", surface: "ide", ...ide, mode: "edit" },
      { type: "chat.prompted", surface: "ide", ...ide, mode: "agent", language: "go" },
      { type: "chat.prompted", surface: "ide", ...ide, mode: "plan" },
      { type: "chat.prompted", surface: "ide", ...ide, mode: "custom" },
      { type: "chat.code_generated", ...ide, mode: "ask", language: "go", lines: 6, model: "gpt-4o" },
      { type: "chat.inserted", ...ide, mode: "ask", language: "go", lines: 4, model: "gpt-4o" },
      { type: "chat.copied", ...ide, mode: "inline", lines: 2 },
      { type: "agent.edit", ...ide, language: "go", lines_added: 10, lines_deleted: 3, model: "claude" },
      { type: "completion.suggested", ...ide, language: "go", lines: 5 },
      { type: "completion.accepted", ...ide, language: "go", lines: 4 },
      { type: "cli.session", prompts: 3, requests: 4, prompt_tokens: 100, output_tokens: 300 },
      { type: "chat.prompted", surface: "dotcom" },
      { type: "pull_request.summarized", repository: "o/r" },
      { type: "activity", engaged: true },
    ])!;
    expect(r).toEqual({
      day: D,
      organization_id: "7",
      enterprise_id: "3",
      user_id: 1,
      user_login: "mona",
      ...C(10, 3, 3, 11, 20, 3),
      used_agent: true,
      used_chat: true,
      used_cli: true,
      totals_by_ide: [{ ide: "vscode", ...C(7, 3, 3, 11, 20, 3) }],
      totals_by_feature: [
        { feature: "agent_edit", ...C(0, 1, 0, 0, 10, 3) },
        { feature: "chat_inline", ...C(1, 0, 1, 0, 2, 0) },
        { feature: "chat_panel_agent_mode", ...C(1, 0, 0, 0, 0, 0) },
        { feature: "chat_panel_ask_mode", ...C(1, 1, 1, 6, 4, 0) },
        { feature: "chat_panel_custom_mode", ...C(1, 0, 0, 0, 0, 0) },
        { feature: "chat_panel_edit_mode", ...C(1, 0, 0, 0, 0, 0) },
        { feature: "chat_panel_plan_mode", ...C(1, 0, 0, 0, 0, 0) },
        { feature: "chat_panel_unknown_mode", ...C(1, 0, 0, 0, 0, 0) },
        { feature: "code_completion", ...C(0, 1, 1, 5, 4, 0) },
        { feature: "copilot_cli", ...C(3, 0, 0, 0, 0, 0) },
      ],
      // (go, chat_panel_agent_mode) had only a prompt: all six counters 0, left out.
      totals_by_language_feature: [
        { language: "go", feature: "agent_edit", ...six(1, 0, 0, 10, 3) },
        { language: "go", feature: "chat_panel_ask_mode", ...six(1, 1, 6, 4, 0) },
        { language: "go", feature: "code_completion", ...six(1, 1, 5, 4, 0) },
      ],
      // Never completions; (go, default) had only the agent-mode prompt.
      totals_by_language_model: [
        { language: "go", model: "claude", ...six(1, 0, 0, 10, 3) },
        { language: "go", model: "gpt-4o", ...six(1, 1, 6, 4, 0) },
      ],
      totals_by_model_feature: [
        { model: "claude", feature: "agent_edit", ...C(0, 1, 0, 0, 10, 3) },
        { model: "default", feature: "chat_inline", ...C(1, 0, 1, 0, 2, 0) },
        { model: "default", feature: "chat_panel_agent_mode", ...C(1, 0, 0, 0, 0, 0) },
        { model: "default", feature: "chat_panel_custom_mode", ...C(1, 0, 0, 0, 0, 0) },
        { model: "default", feature: "chat_panel_edit_mode", ...C(1, 0, 0, 0, 0, 0) },
        { model: "default", feature: "chat_panel_plan_mode", ...C(1, 0, 0, 0, 0, 0) },
        { model: "default", feature: "chat_panel_unknown_mode", ...C(1, 0, 0, 0, 0, 0) },
        { model: "gpt-4o", feature: "chat_panel_ask_mode", ...C(1, 1, 1, 6, 4, 0) },
      ],
      totals_by_cli: {
        session_count: 1,
        request_count: 4,
        prompt_count: 3,
        token_usage: { output_tokens_sum: 300, prompt_tokens_sum: 100, avg_tokens_per_request: 100 },
      },
      totals_by_3rd_party_agent: [],
    });
  });

  it("orders IDEs by code point (upper case first), keeps the latest versions per IDE, plugin only with its version", () => {
    const r = record([
      { type: "completion.suggested", editor: "vscode", language: "go", lines: 1, editor_version: "1.0" },
      {
        type: "completion.suggested",
        editor: "vscode",
        language: "go",
        lines: 1,
        editor_version: "2.0",
        plugin: "copilot",
        plugin_version: "1.2.3",
        timestamp: `${D}T11:30:00.250Z`,
      },
      { type: "completion.suggested", editor: "vscode", language: "go", lines: 1, plugin: "other" },
      { type: "chat.prompted", surface: "ide", editor: "JetBrains", mode: "agent" },
      { type: "chat.inserted", editor: "Zed", mode: "edit" },
    ])!;
    expect(r.totals_by_ide).toEqual([
      { ide: "JetBrains", ...C(1, 0, 0, 0, 0, 0) },
      { ide: "Zed", ...C(0, 0, 1, 0, 0, 0) },
      {
        ide: "vscode",
        ...C(0, 3, 0, 3, 0, 0),
        last_known_ide_version: { ide_version: "2.0", sampled_at: `${D}T11:30:00.250Z` },
        last_known_plugin_version: {
          plugin: "copilot",
          plugin_version: "1.2.3",
          sampled_at: `${D}T11:30:00.250Z`,
        },
      },
    ]);
    expect([r.used_chat, r.used_agent, r.used_cli]).toEqual([true, true, false]);
    expect("totals_by_cli" in r).toBe(false);
  });

  it("lists third-party agents by id with the name of the latest session, prompts and sessions", () => {
    const r = record([
      {
        type: "agent.session",
        agent_id: "codex",
        agent_name: "Codex",
        prompts: 2,
        timestamp: `${D}T09:00:00Z`,
      },
      { type: "agent.session", agent_id: "codex", agent_name: "OpenAI Codex", timestamp: `${D}T12:00:00Z` },
      { type: "agent.session", agent_id: "claude-code", agent_name: "Claude Code", prompts: 5 },
    ])!;
    expect(r.totals_by_3rd_party_agent).toEqual([
      {
        agent_id: "claude-code",
        agent_name: "Claude Code",
        user_initiated_interaction_count: 5,
        session_count: 1,
      },
      {
        agent_id: "codex",
        agent_name: "OpenAI Codex",
        user_initiated_interaction_count: 2,
        session_count: 2,
      },
    ]);
    // Agent sessions are in no other total and make no chat, agent-mode or CLI use.
    expect(r).toMatchObject({ ...C(0, 0, 0, 0, 0, 0), used_chat: false, used_agent: false, used_cli: false });
    expect([r.totals_by_ide, r.totals_by_feature]).toEqual([[], []]);
  });

  it("has no record for a day of github.com chat, pull-request summaries and activity only", () => {
    expect(
      record([
        { type: "chat.prompted", surface: "dotcom" },
        { type: "pull_request.summarized", repository: "o/r" },
        { type: "activity" },
      ]),
    ).toBeNull();
  });

  it("gives a CLI session without requests an average of 0 and a zero copilot_cli row is left out", () => {
    const r = record([{ type: "cli.session" }])!;
    expect(r.totals_by_cli).toEqual({
      session_count: 1,
      request_count: 0,
      prompt_count: 0,
      token_usage: { output_tokens_sum: 0, prompt_tokens_sum: 0, avg_tokens_per_request: 0 },
    });
    expect(r.totals_by_feature).toEqual([]);
    expect(r.used_cli).toBe(true);
  });
});

describe("compareCodePoints", () => {
  it("orders by code point, not UTF-16 unit", () => {
    const list = ["\u{1F600}", "\uFF5E", "b", "B", "ab", "a"];
    expect(list.sort(compareCodePoints)).toEqual(["B", "a", "ab", "b", "\uFF5E", "\u{1F600}"]);
  });
});

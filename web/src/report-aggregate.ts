/**
 * Pure sums over the user-day records of the usage-metrics reports (one record per user and day of a scope):
 * the per-user table, chat by mode, agent edits, Copilot CLI and third-party agents. Users are counted once over
 * the range (a record names its user), so "users" here are distinct people, not a sum of daily counts.
 */
import type { ReportCounters, UserDayRecord } from "./report-types.js";

/** One user's range, the columns of the per-user table. */
export interface UserRow {
  login: string;
  /** Days with a record: any event the reports cover. */
  activeDays: number;
  /** `code_acceptance_activity_count` of the `code_completion` feature. */
  completionsAccepted: number;
  /** `user_initiated_interaction_count`: IDE chat prompts in every mode and Copilot CLI prompts. */
  prompts: number;
  /** `code_generation_activity_count` of the `agent_edit` feature: agent.edit events. */
  agentEdits: number;
  linesAdded: number;
  linesDeleted: number;
  /** `totals_by_cli.session_count`. */
  cliSessions: number;
}

export type UserColumn = Exclude<keyof UserRow, "login"> | "login";

const feature = (r: UserDayRecord, name: string): ReportCounters | undefined =>
  r.totals_by_feature.find((f) => f.feature === name);

/** The per-user rows of the range, ordered by login. */
export function userRows(records: readonly UserDayRecord[]): UserRow[] {
  const by = new Map<string, UserRow & { days: Set<string> }>();
  for (const r of records) {
    let u = by.get(r.user_login);
    if (!u) {
      u = {
        login: r.user_login,
        activeDays: 0,
        completionsAccepted: 0,
        prompts: 0,
        agentEdits: 0,
        linesAdded: 0,
        linesDeleted: 0,
        cliSessions: 0,
        days: new Set(),
      };
      by.set(r.user_login, u);
    }
    u.days.add(r.day);
    u.completionsAccepted += feature(r, "code_completion")?.code_acceptance_activity_count ?? 0;
    u.prompts += r.user_initiated_interaction_count;
    u.agentEdits += feature(r, "agent_edit")?.code_generation_activity_count ?? 0;
    u.linesAdded += r.loc_added_sum;
    u.linesDeleted += r.loc_deleted_sum;
    u.cliSessions += r.totals_by_cli?.session_count ?? 0;
  }
  return [...by.values()]
    .map(({ days, ...u }) => ({ ...u, activeDays: days.size }))
    .sort((a, b) => compareText(a.login, b.login));
}

function compareText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/** The rows ordered by one column; ties by login, so the order is the same on every render. */
export function sortUserRows(rows: readonly UserRow[], by: UserColumn, descending: boolean): UserRow[] {
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const d = by === "login" ? compareText(a.login, b.login) : a[by] - b[by];
    return d !== 0 ? sign * d : compareText(a.login, b.login);
  });
}

/** Chat features in the order the table lists them (usage-metrics-reports.md, "Features"). */
export const CHAT_MODES: readonly { feature: string; mode: string }[] = [
  { feature: "chat_panel_ask_mode", mode: "Ask" },
  { feature: "chat_panel_edit_mode", mode: "Edit" },
  { feature: "chat_panel_agent_mode", mode: "Agent" },
  { feature: "chat_panel_plan_mode", mode: "Plan" },
  { feature: "chat_panel_custom_mode", mode: "Custom" },
  { feature: "chat_inline", mode: "Inline" },
  { feature: "chat_panel_unknown_mode", mode: "Unknown" },
];

export interface ModeRow {
  feature: string;
  mode: string;
  prompts: number;
  /** chat.code_generated events. */
  generations: number;
  /** chat.inserted + chat.copied. */
  acceptances: number;
  linesSuggested: number;
  linesAdded: number;
  users: number;
}

/** IDE chat by mode over the range: one row per mode with any activity, in CHAT_MODES order. */
export function chatByMode(records: readonly UserDayRecord[]): ModeRow[] {
  const rows = CHAT_MODES.map((m) => ({
    ...m,
    prompts: 0,
    generations: 0,
    acceptances: 0,
    linesSuggested: 0,
    linesAdded: 0,
    who: new Set<string>(),
  }));
  const index = new Map(rows.map((r) => [r.feature, r]));
  for (const r of records)
    for (const f of r.totals_by_feature) {
      const row = index.get(f.feature);
      if (!row) continue;
      row.prompts += f.user_initiated_interaction_count ?? 0;
      row.generations += f.code_generation_activity_count;
      row.acceptances += f.code_acceptance_activity_count;
      row.linesSuggested += f.loc_suggested_to_add_sum;
      row.linesAdded += f.loc_added_sum;
      row.who.add(r.user_login);
    }
  return rows.filter((r) => r.who.size > 0).map(({ who, ...r }) => ({ ...r, users: who.size }));
}

export interface EditRow {
  model: string;
  edits: number;
  linesAdded: number;
  linesDeleted: number;
  users: number;
}

export interface AgentEdits {
  total: EditRow;
  /** Per model (`default` when the event named none), most edits first. */
  byModel: EditRow[];
}

/** agent.edit events over the range (the `agent_edit` feature), in all and per model. */
export function agentEdits(records: readonly UserDayRecord[]): AgentEdits {
  const total = { model: "all", edits: 0, linesAdded: 0, linesDeleted: 0, who: new Set<string>() };
  const models = new Map<string, typeof total>();
  for (const r of records) {
    const f = feature(r, "agent_edit");
    if (f) {
      total.edits += f.code_generation_activity_count;
      total.linesAdded += f.loc_added_sum;
      total.linesDeleted += f.loc_deleted_sum;
      total.who.add(r.user_login);
    }
    for (const m of r.totals_by_model_feature) {
      if (m.feature !== "agent_edit") continue;
      let row = models.get(m.model);
      if (!row) {
        row = { model: m.model, edits: 0, linesAdded: 0, linesDeleted: 0, who: new Set() };
        models.set(m.model, row);
      }
      row.edits += m.code_generation_activity_count;
      row.linesAdded += m.loc_added_sum;
      row.linesDeleted += m.loc_deleted_sum;
      row.who.add(r.user_login);
    }
  }
  const out = ({ who, ...r }: typeof total): EditRow => ({ ...r, users: who.size });
  return {
    total: out(total),
    byModel: [...models.values()].map(out).sort((a, b) => b.edits - a.edits || compareText(a.model, b.model)),
  };
}

export interface CliActivity {
  users: number;
  sessions: number;
  requests: number;
  prompts: number;
  promptTokens: number;
  outputTokens: number;
  /** (prompt + output tokens) ÷ requests over the range; null without requests. */
  avgTokensPerRequest: number | null;
  /** Users per last known CLI version (each user's latest sample in the range), most users first. */
  versions: { version: string; users: number }[];
}

/** Copilot CLI over the range, from `totals_by_cli`. */
export function cliActivity(records: readonly UserDayRecord[]): CliActivity {
  const a = { sessions: 0, requests: 0, prompts: 0, promptTokens: 0, outputTokens: 0 };
  const who = new Set<string>();
  const latest = new Map<string, { version: string; at: string }>();
  for (const r of records) {
    const c = r.totals_by_cli;
    if (!c) continue;
    who.add(r.user_login);
    a.sessions += c.session_count;
    a.requests += c.request_count;
    a.prompts += c.prompt_count;
    a.promptTokens += c.token_usage.prompt_tokens_sum;
    a.outputTokens += c.token_usage.output_tokens_sum;
    const v = c.last_known_cli_version;
    const cur = latest.get(r.user_login);
    if (v && (!cur || v.sampled_at > cur.at))
      latest.set(r.user_login, { version: v.cli_version, at: v.sampled_at });
  }
  const versions = new Map<string, number>();
  for (const { version } of latest.values()) versions.set(version, (versions.get(version) ?? 0) + 1);
  return {
    ...a,
    users: who.size,
    avgTokensPerRequest: a.requests === 0 ? null : (a.promptTokens + a.outputTokens) / a.requests,
    versions: [...versions]
      .map(([version, users]) => ({ version, users }))
      .sort((x, y) => y.users - x.users || compareText(x.version, y.version)),
  };
}

export interface AgentRow {
  agentId: string;
  /** The name the latest day's record gives. */
  name: string;
  prompts: number;
  sessions: number;
  users: number;
}

/** Third-party agents (`totals_by_3rd_party_agent`) over the range, most sessions first. */
export function thirdPartyAgents(records: readonly UserDayRecord[]): AgentRow[] {
  const by = new Map<string, AgentRow & { who: Set<string>; day: string }>();
  for (const r of records)
    for (const a of r.totals_by_3rd_party_agent) {
      let row = by.get(a.agent_id);
      if (!row) {
        row = {
          agentId: a.agent_id,
          name: a.agent_name,
          prompts: 0,
          sessions: 0,
          users: 0,
          who: new Set(),
          day: r.day,
        };
        by.set(a.agent_id, row);
      }
      row.prompts += a.user_initiated_interaction_count;
      row.sessions += a.session_count;
      row.who.add(r.user_login);
      if (r.day >= row.day) {
        row.day = r.day;
        row.name = a.agent_name;
      }
    }
  return [...by.values()]
    .map(({ who, day: _day, ...r }) => ({ ...r, users: who.size }))
    .sort((a, b) => b.sessions - a.sessions || compareText(a.agentId, b.agentId));
}

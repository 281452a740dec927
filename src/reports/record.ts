import { chatModeOf, type FactRow } from "../rollup/facts.js";
import { compareCodePoints } from "./order.js";

/**
 * The usage-metrics user-day record (spec/usage-metrics-reports.md), computed from one user's facts and version
 * rows of one day. Pure: processing calls it once per user and serializes it once per scope.
 */

/** The seven counters; `loc_suggested_to_delete_sum` is always 0 (GitHub: "future support planned"). */
export interface Counters {
  interactions: number;
  generations: number;
  acceptances: number;
  locSuggested: number;
  locAdded: number;
  locDeleted: number;
}

export const zeroCounters = (): Counters => ({
  interactions: 0,
  generations: 0,
  acceptances: 0,
  locSuggested: 0,
  locAdded: 0,
  locDeleted: 0,
});

export function addCounters(into: Counters, c: Counters): void {
  into.interactions += c.interactions;
  into.generations += c.generations;
  into.acceptances += c.acceptances;
  into.locSuggested += c.locSuggested;
  into.locAdded += c.locAdded;
  into.locDeleted += c.locDeleted;
}

export interface CliTotals {
  sessions: number;
  requests: number;
  prompts: number;
  promptTokens: number;
  outputTokens: number;
}

/** A string of the latest event carrying it, with that event's instant (ISO, UTC, milliseconds). */
export interface Sampled {
  value: string;
  at: string;
}

/** One version row of `fact_versions` (ingest/versions.ts). */
export interface VersionFact {
  kind: string;
  key: string;
  value: string;
  at: string;
}

/** Everything a user's record (and the scope aggregates) sums, keyed as the arrays are. */
export interface Totals {
  all: Counters;
  byIde: Map<string, Counters>;
  byFeature: Map<string, Counters>;
  /** Key: language NUL feature. */
  byLanguageFeature: Map<string, Counters>;
  /** Key: language NUL model. */
  byLanguageModel: Map<string, Counters>;
  /** Key: model NUL feature. */
  byModelFeature: Map<string, Counters>;
  cli: CliTotals | null;
  agents: Map<string, { sessions: number; prompts: number; name: Sampled | null }>;
}

export interface UserDay extends Totals {
  usedChat: boolean;
  usedAgent: boolean;
  usedCli: boolean;
  ideVersions: Map<string, Sampled>;
  /** value: plugin U+0001 plugin_version. */
  pluginVersions: Map<string, Sampled>;
  cliVersion: Sampled | null;
}

export const newTotals = (): Totals => ({
  all: zeroCounters(),
  byIde: new Map(),
  byFeature: new Map(),
  byLanguageFeature: new Map(),
  byLanguageModel: new Map(),
  byModelFeature: new Map(),
  cli: null,
  agents: new Map(),
});

const MODE_FEATURE: Record<string, string> = {
  unknown: "chat_panel_unknown_mode",
  ask: "chat_panel_ask_mode",
  edit: "chat_panel_edit_mode",
  agent: "chat_panel_agent_mode",
  plan: "chat_panel_plan_mode",
  custom: "chat_panel_custom_mode",
  inline: "chat_inline",
};

function add(m: Map<string, Counters>, key: string, c: Counters): void {
  const cur = m.get(key);
  if (cur) addCounters(cur, c);
  else m.set(key, { ...c });
}

const NUL = "\u0000";

/**
 * The user's day, or null when none of their events is one the reports cover (github.com chat, pull-request
 * summaries and `activity` events only: no record, though they count as active in the aggregates).
 */
export function computeUserDay(facts: readonly FactRow[], versions: readonly VersionFact[]): UserDay | null {
  const u: UserDay = {
    ...newTotals(),
    usedChat: false,
    usedAgent: false,
    usedCli: false,
    ideVersions: new Map(),
    pluginVersions: new Map(),
    cliVersion: null,
  };
  let covered = false;
  let cliTokens: { prompt: number; output: number } | null = null;
  for (const f of facts) {
    let feature: string;
    let c: Counters;
    /** IDE chat and agent edits go into the model and language-model arrays; completions never do. */
    let chatLike = true;
    if (f.feature === "completion") {
      feature = "code_completion";
      chatLike = false;
      c = { ...zeroCounters(), generations: f.n1, acceptances: f.n2, locSuggested: f.n3, locAdded: f.n4 };
    } else if (f.feature === "ide_chat" || f.feature.startsWith("ide_chat.")) {
      const mode = chatModeOf(f.feature);
      feature = MODE_FEATURE[mode] ?? MODE_FEATURE.unknown!;
      c = { ...zeroCounters(), interactions: f.n1, acceptances: f.n2 + f.n3, locAdded: f.n4 };
      if (f.n1 > 0) {
        u.usedChat = true;
        if (mode === "agent") u.usedAgent = true;
      }
    } else if (f.feature === "chat_code" || f.feature.startsWith("chat_code.")) {
      feature = MODE_FEATURE[chatModeOf(f.feature)] ?? MODE_FEATURE.unknown!;
      c = { ...zeroCounters(), generations: f.n1, locSuggested: f.n2 };
    } else if (f.feature === "agent_edit") {
      feature = "agent_edit";
      c = { ...zeroCounters(), generations: f.n1, locAdded: f.n2, locDeleted: f.n3 };
      if (f.n1 > 0) u.usedAgent = true;
    } else if (f.feature === "cli") {
      covered = true;
      u.usedCli = true;
      u.cli ??= { sessions: 0, requests: 0, prompts: 0, promptTokens: 0, outputTokens: 0 };
      const cli = u.cli;
      cli.sessions += f.n1;
      cli.prompts += f.n2;
      cli.requests += f.n3;
      const p = { ...zeroCounters(), interactions: f.n2 };
      addCounters(u.all, p);
      add(u.byFeature, "copilot_cli", p);
      continue;
    } else if (f.feature === "cli_tokens") {
      cliTokens ??= { prompt: 0, output: 0 };
      cliTokens.prompt += f.n1;
      cliTokens.output += f.n2;
      continue;
    } else if (f.feature === "agent_session") {
      covered = true;
      const a = u.agents.get(f.dim) ?? { sessions: 0, prompts: 0, name: null };
      a.sessions += f.n1;
      a.prompts += f.n2;
      u.agents.set(f.dim, a);
      continue;
    } else {
      // dotcom_chat, pr, activity and features this version does not know: not in the reports.
      continue;
    }
    covered = true;
    addCounters(u.all, c);
    add(u.byIde, f.editor, c);
    add(u.byFeature, feature, c);
    if (f.dim !== "") add(u.byLanguageFeature, `${f.dim}${NUL}${feature}`, c);
    if (chatLike) {
      if (f.dim !== "") add(u.byLanguageModel, `${f.dim}${NUL}${f.model}`, c);
      add(u.byModelFeature, `${f.model}${NUL}${feature}`, c);
    }
  }
  if (!covered) return null;
  if (u.cli && cliTokens) {
    u.cli.promptTokens = cliTokens.prompt;
    u.cli.outputTokens = cliTokens.output;
  }
  for (const v of versions) {
    const s = { value: v.value, at: v.at };
    if (v.kind === "ide" && u.byIde.has(v.key)) u.ideVersions.set(v.key, s);
    else if (v.kind === "plugin" && u.byIde.has(v.key)) u.pluginVersions.set(v.key, s);
    else if (v.kind === "cli" && u.cli) u.cliVersion = s;
    else if (v.kind === "agent") {
      const a = u.agents.get(v.key);
      if (a) a.name = s;
    }
  }
  return u;
}

/** Adds one user's day into a scope's totals (the aggregate record). */
export function addTotals(into: Totals, u: Totals): void {
  addCounters(into.all, u.all);
  for (const [k, c] of u.byIde) add(into.byIde, k, c);
  for (const [k, c] of u.byFeature) add(into.byFeature, k, c);
  for (const [k, c] of u.byLanguageFeature) add(into.byLanguageFeature, k, c);
  for (const [k, c] of u.byLanguageModel) add(into.byLanguageModel, k, c);
  for (const [k, c] of u.byModelFeature) add(into.byModelFeature, k, c);
  if (u.cli) {
    into.cli ??= { sessions: 0, requests: 0, prompts: 0, promptTokens: 0, outputTokens: 0 };
    const cli = into.cli;
    cli.sessions += u.cli.sessions;
    cli.requests += u.cli.requests;
    cli.prompts += u.cli.prompts;
    cli.promptTokens += u.cli.promptTokens;
    cli.outputTokens += u.cli.outputTokens;
  }
  for (const [id, a] of u.agents) {
    const cur = into.agents.get(id);
    if (!cur) into.agents.set(id, { sessions: a.sessions, prompts: a.prompts, name: a.name });
    else {
      cur.sessions += a.sessions;
      cur.prompts += a.prompts;
      if (a.name && (!cur.name || later(a.name, cur.name))) cur.name = a.name;
    }
  }
}

const later = (a: Sampled, b: Sampled) => a.at > b.at || (a.at === b.at && a.value > b.value);

// ---- serialization: field order fixed here, so equal data gives equal bytes ----

type Json = Record<string, unknown>;

function counters(c: Counters, withInteractions: boolean): Json {
  const o: Json = {};
  if (withInteractions) o.user_initiated_interaction_count = c.interactions;
  o.code_generation_activity_count = c.generations;
  o.code_acceptance_activity_count = c.acceptances;
  o.loc_suggested_to_add_sum = c.locSuggested;
  o.loc_suggested_to_delete_sum = 0;
  o.loc_added_sum = c.locAdded;
  o.loc_deleted_sum = c.locDeleted;
  return o;
}

const isZero = (c: Counters, withInteractions: boolean) =>
  (!withInteractions || c.interactions === 0) &&
  c.generations === 0 &&
  c.acceptances === 0 &&
  c.locSuggested === 0 &&
  c.locAdded === 0 &&
  c.locDeleted === 0;

/** Entries of a keyed map, zero entries left out, ordered by their key fields (code points, field by field). */
function entries(
  m: Map<string, Counters>,
  names: readonly string[],
  withInteractions: boolean,
  extra?: (key: string) => Json,
): Json[] {
  const rows: { parts: string[]; c: Counters; key: string }[] = [];
  for (const [key, c] of m) if (!isZero(c, withInteractions)) rows.push({ parts: key.split(NUL), c, key });
  rows.sort((a, b) => {
    for (let i = 0; i < a.parts.length; i++) {
      const d = compareCodePoints(a.parts[i]!, b.parts[i]!);
      if (d !== 0) return d;
    }
    return 0;
  });
  return rows.map(({ parts, c, key }) => {
    const o: Json = {};
    names.forEach((n, i) => {
      o[n] = parts[i];
    });
    Object.assign(o, counters(c, withInteractions));
    if (extra) Object.assign(o, extra(key));
    return o;
  });
}

/** The `totals_by_*` arrays and objects of a record or an aggregate (`versions`: the user record's sub-objects). */
export function totalsJson(t: Totals, versions: UserDay | null): Json {
  const o: Json = {};
  o.totals_by_ide = entries(t.byIde, ["ide"], true, (ide) => {
    const x: Json = {};
    const v = versions?.ideVersions.get(ide);
    if (v) x.last_known_ide_version = { ide_version: v.value, sampled_at: v.at };
    const p = versions?.pluginVersions.get(ide);
    if (p) {
      const [plugin, version] = p.value.split("\u0001") as [string, string];
      x.last_known_plugin_version = { plugin, plugin_version: version, sampled_at: p.at };
    }
    return x;
  });
  o.totals_by_feature = entries(t.byFeature, ["feature"], true);
  o.totals_by_language_feature = entries(t.byLanguageFeature, ["language", "feature"], false);
  o.totals_by_language_model = entries(t.byLanguageModel, ["language", "model"], false);
  o.totals_by_model_feature = entries(t.byModelFeature, ["model", "feature"], true);
  if (t.cli) {
    const c = t.cli;
    const cli: Json = {
      session_count: c.sessions,
      request_count: c.requests,
      prompt_count: c.prompts,
      token_usage: {
        output_tokens_sum: c.outputTokens,
        prompt_tokens_sum: c.promptTokens,
        avg_tokens_per_request: c.requests === 0 ? 0 : (c.outputTokens + c.promptTokens) / c.requests,
      },
    };
    if (versions?.cliVersion)
      cli.last_known_cli_version = {
        cli_version: versions.cliVersion.value,
        sampled_at: versions.cliVersion.at,
      };
    o.totals_by_cli = cli;
  }
  o.totals_by_3rd_party_agent = [...t.agents]
    .sort(([a], [b]) => compareCodePoints(a, b))
    .map(([id, a]) => ({
      agent_id: id,
      agent_name: a.name?.value ?? id,
      user_initiated_interaction_count: a.prompts,
      session_count: a.sessions,
    }));
  return o;
}

/** Who and where a record is for. */
export interface RecordIdentity {
  day: string;
  userId: number;
  login: string;
  /** Org scope: the organization's id; enterprise scope: null. */
  organizationId: number | null;
  /** The enterprise's id (enterprise scope), or the org's enterprise when it has one; else null. */
  enterpriseId: number | null;
}

/**
 * The record's JSON text. It always starts with `{"day":"YYYY-MM-DD",` so a 28-day file can splice in
 * `report_start_day`/`report_end_day` after the day without parsing it (reports/files.ts).
 */
export function serializeUserDay(u: UserDay, id: RecordIdentity): string {
  const o: Json = { day: id.day };
  if (id.organizationId !== null) o.organization_id = String(id.organizationId);
  if (id.enterpriseId !== null) o.enterprise_id = String(id.enterpriseId);
  o.user_id = id.userId;
  o.user_login = id.login;
  Object.assign(o, counters(u.all, true));
  o.used_agent = u.usedAgent;
  o.used_chat = u.usedChat;
  o.used_cli = u.usedCli;
  Object.assign(o, totalsJson(u, u));
  return JSON.stringify(o);
}

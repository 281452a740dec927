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
  else
    m.set(key, {
      interactions: c.interactions,
      generations: c.generations,
      acceptances: c.acceptances,
      locSuggested: c.locSuggested,
      locAdded: c.locAdded,
      locDeleted: c.locDeleted,
    });
}

/** Counters without object spread (a hot path: once per fact). */
const counters6 = (
  interactions: number,
  generations: number,
  acceptances: number,
  locSuggested: number,
  locAdded: number,
  locDeleted: number,
): Counters => ({ interactions, generations, acceptances, locSuggested, locAdded, locDeleted });

const NUL = "\u0000";

/**
 * The user's day, or null when none of their events is one the reports cover (github.com chat, pull-request
 * summaries and `activity` events only: no record, though they count as active in the aggregates).
 */
export function computeUserDay(facts: readonly FactRow[], versions: readonly VersionFact[]): UserDay | null {
  const u: UserDay = {
    all: zeroCounters(),
    byIde: new Map(),
    byFeature: new Map(),
    byLanguageFeature: new Map(),
    byLanguageModel: new Map(),
    byModelFeature: new Map(),
    cli: null,
    agents: new Map(),
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
      c = counters6(0, f.n1, f.n2, f.n3, f.n4, 0);
    } else if (f.feature === "ide_chat" || f.feature.startsWith("ide_chat.")) {
      const mode = chatModeOf(f.feature);
      feature = MODE_FEATURE[mode] ?? MODE_FEATURE.unknown!;
      c = counters6(f.n1, 0, f.n2 + f.n3, 0, f.n4, 0);
      if (f.n1 > 0) {
        u.usedChat = true;
        if (mode === "agent") u.usedAgent = true;
      }
    } else if (f.feature === "chat_code" || f.feature.startsWith("chat_code.")) {
      feature = MODE_FEATURE[chatModeOf(f.feature)] ?? MODE_FEATURE.unknown!;
      c = counters6(0, f.n1, 0, f.n2, 0, 0);
    } else if (f.feature === "agent_edit") {
      feature = "agent_edit";
      c = counters6(0, f.n1, 0, 0, f.n2, f.n3);
      if (f.n1 > 0) u.usedAgent = true;
    } else if (f.feature === "cli") {
      covered = true;
      u.usedCli = true;
      u.cli ??= { sessions: 0, requests: 0, prompts: 0, promptTokens: 0, outputTokens: 0 };
      const cli = u.cli;
      cli.sessions += f.n1;
      cli.prompts += f.n2;
      cli.requests += f.n3;
      const p = counters6(f.n2, 0, 0, 0, 0, 0);
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
// Written by hand rather than JSON.stringify of intermediate objects (issue 14: that was most of the JavaScript
// time of processing a day); strings still go through JSON.stringify, so the text is what it gave before.

const str = JSON.stringify;
/** A number as JSON.stringify writes it (NaN and ±Infinity as null). */
const num = (n: number) => (Number.isFinite(n) ? String(n) : "null");

/** The counters as `"key":value` pairs without braces. */
function countersText(c: Counters, withInteractions: boolean): string {
  return `${withInteractions ? `"user_initiated_interaction_count":${num(c.interactions)},` : ""}"code_generation_activity_count":${num(c.generations)},"code_acceptance_activity_count":${num(c.acceptances)},"loc_suggested_to_add_sum":${num(c.locSuggested)},"loc_suggested_to_delete_sum":0,"loc_added_sum":${num(c.locAdded)},"loc_deleted_sum":${num(c.locDeleted)}`;
}

const isZero = (c: Counters, withInteractions: boolean) =>
  (!withInteractions || c.interactions === 0) &&
  c.generations === 0 &&
  c.acceptances === 0 &&
  c.locSuggested === 0 &&
  c.locAdded === 0 &&
  c.locDeleted === 0;

/** Compares two keys field by field (code points), as the arrays are ordered. */
function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = compareCodePoints(a[i]!, b[i]!);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The key fields' text (`{"language":"go","feature":"code_completion",`), by array and key. Keys repeat across users
 * (editors, features, languages, models: a few hundred a day), so the text is kept rather than quoted for every row
 * of every record (a fifth of serializing one); the cache is emptied when it reaches `KEY_TEXTS` keys.
 */
const keyTexts = new Map<readonly string[], Map<string, string>>();
const KEY_TEXTS = 20_000;
let keyTextCount = 0;

function keyText(names: readonly string[], parts: readonly string[], key: string): string {
  let byKey = keyTexts.get(names);
  if (!byKey) {
    byKey = new Map();
    keyTexts.set(names, byKey);
  }
  let text = byKey.get(key);
  if (text === undefined) {
    if (keyTextCount >= KEY_TEXTS) {
      for (const m of keyTexts.values()) m.clear();
      keyTextCount = 0;
    }
    text = "{";
    for (let i = 0; i < names.length; i++) text += `"${names[i]}":${str(parts[i])},`;
    text.charCodeAt(0);
    byKey.set(key, text);
    keyTextCount++;
  }
  return text;
}

/**
 * A JSON array of a keyed map's entries, zero entries left out, ordered by their key fields (code points, field
 * by field). `extra` adds `,"key":value…` text after the counters.
 */
function entriesText(
  m: Map<string, Counters>,
  names: readonly string[],
  withInteractions: boolean,
  extra?: (key: string) => string,
): string {
  if (m.size === 0) return "[]";
  const rows: { parts: string[]; c: Counters; key: string }[] = [];
  for (const [key, c] of m) if (!isZero(c, withInteractions)) rows.push({ parts: key.split(NUL), c, key });
  if (rows.length > 1) rows.sort((a, b) => compareKeys(a.parts, b.parts));
  let out = "[";
  for (let r = 0; r < rows.length; r++) {
    const { parts, c, key } = rows[r]!;
    if (r > 0) out += ",";
    out += keyText(names, parts, key);
    out += countersText(c, withInteractions);
    if (extra) out += extra(key);
    out += "}";
  }
  return `${out}]`;
}

const IDE_NAMES = ["ide"] as const;
const FEATURE_NAMES = ["feature"] as const;
const LANGUAGE_FEATURE_NAMES = ["language", "feature"] as const;
const LANGUAGE_MODEL_NAMES = ["language", "model"] as const;
const MODEL_FEATURE_NAMES = ["model", "feature"] as const;

/**
 * The `totals_by_*` arrays and objects of a record or an aggregate as `"key":value` pairs without braces
 * (`versions`: the user record's sub-objects).
 */
export function totalsText(t: Totals, versions: UserDay | null): string {
  const ide = entriesText(
    t.byIde,
    IDE_NAMES,
    true,
    versions
      ? (name) => {
          let x = "";
          const v = versions.ideVersions.get(name);
          if (v) x += `,"last_known_ide_version":{"ide_version":${str(v.value)},"sampled_at":${str(v.at)}}`;
          const p = versions.pluginVersions.get(name);
          if (p) {
            const [plugin, version] = p.value.split("\u0001") as [string, string | undefined];
            // JSON.stringify left out an undefined plugin_version; so does this.
            x += `,"last_known_plugin_version":{"plugin":${str(plugin)},${version === undefined ? "" : `"plugin_version":${str(version)},`}"sampled_at":${str(p.at)}}`;
          }
          return x;
        }
      : undefined,
  );
  let out = `"totals_by_ide":${ide},"totals_by_feature":${entriesText(t.byFeature, FEATURE_NAMES, true)},"totals_by_language_feature":${entriesText(t.byLanguageFeature, LANGUAGE_FEATURE_NAMES, false)},"totals_by_language_model":${entriesText(t.byLanguageModel, LANGUAGE_MODEL_NAMES, false)},"totals_by_model_feature":${entriesText(t.byModelFeature, MODEL_FEATURE_NAMES, true)}`;
  if (t.cli) {
    const c = t.cli;
    const avg = c.requests === 0 ? 0 : (c.outputTokens + c.promptTokens) / c.requests;
    out += `,"totals_by_cli":{"session_count":${num(c.sessions)},"request_count":${num(c.requests)},"prompt_count":${num(c.prompts)},"token_usage":{"output_tokens_sum":${num(c.outputTokens)},"prompt_tokens_sum":${num(c.promptTokens)},"avg_tokens_per_request":${num(avg)}}`;
    if (versions?.cliVersion)
      out += `,"last_known_cli_version":{"cli_version":${str(versions.cliVersion.value)},"sampled_at":${str(versions.cliVersion.at)}}`;
    out += "}";
  }
  out += ',"totals_by_3rd_party_agent":[';
  if (t.agents.size > 0) {
    const agents = [...t.agents].sort(([a], [b]) => compareCodePoints(a, b));
    for (let i = 0; i < agents.length; i++) {
      const [id, a] = agents[i]!;
      out += `${i > 0 ? "," : ""}{"agent_id":${str(id)},"agent_name":${str(a.name?.value ?? id)},"user_initiated_interaction_count":${num(a.prompts)},"session_count":${num(a.sessions)}}`;
    }
  }
  return `${out}]`;
}

/** The summed part of an aggregate (counters and arrays, no version sub-objects), as JSON object text. */
export function sumsText(t: Totals): string {
  return `{${countersText(t.all, true)},${totalsText(t, null)}}`;
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
  return `${recordHead(id)}${recordTail(u)}`;
}

/** The part of a record that depends on its scope and user: `{"day":…,"user_login":…,` */
export function recordHead(id: RecordIdentity): string {
  return `{"day":${str(id.day)},${id.organizationId !== null ? `"organization_id":${str(String(id.organizationId))},` : ""}${id.enterpriseId !== null ? `"enterprise_id":${str(String(id.enterpriseId))},` : ""}"user_id":${num(id.userId)},"user_login":${str(id.login)},`;
}

/**
 * The rest of a record, the same in every scope of the user: computed once per user (issue 14). Returned flat: V8
 * keeps a string built piece by piece as a tree of its ≈ 150 pieces (≈ 10 kB for a 2.4 kB record, kept while the
 * record waits to be inserted); reading a character of it makes V8 copy it into one flat string, the tree garbage.
 */
export function recordTail(u: UserDay): string {
  const tail = `${countersText(u.all, true)},"used_agent":${u.usedAgent},"used_chat":${u.usedChat},"used_cli":${u.usedCli},${totalsText(u, u)}}`;
  tail.charCodeAt(0);
  return tail;
}

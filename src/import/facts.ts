import type { FactRow } from "../rollup/facts.js";
import {
  COUNTER_NAMES,
  type CounterName,
  type CounterRow,
  type ImportedRecord,
  KNOWN_FEATURES,
} from "./schema.js";

/**
 * A user-day record turned into the facts processing reads (spec/usage-reports-import.md, "Rebuilding the legacy
 * day document"), so the legacy documents come out of the same computation as for telemetry. Pure.
 *
 * - completions: the `code_completion` rows of `totals_by_language_feature` (language = dim), the rest of the
 *   feature's totals with no language; model `default`;
 * - IDE chat (`ide_chat[.mode]`): `totals_by_model_feature` rows of chat features: chats = interactions, insertion
 *   events = acceptances, copy events = 0 (the reports merge the two), lines = `loc_added_sum`; plus the code they
 *   generated (`chat_code[.mode]`);
 * - `agent_edit`, `copilot_cli` (from `totals_by_cli`) and third-party agents as their own facts;
 * - one `activity` fact with no events, so a record always makes its user active (engaged when it had a prompt or
 *   an acceptance).
 *
 * The editor is the record's single IDE; a record with several (or whose IDE rows do not add up to its IDE features)
 * is split over them in proportion to each IDE's generations (then interactions, then equal shares) with
 * largest-remainder rounding, and `split` says so.
 */

export interface RecordFacts {
  facts: Omit<FactRow, "userId">[];
  /** The user-day was apportioned over several IDEs: an estimate, reported as such. */
  split: boolean;
  /** Feature values the spec does not name (kept in the record, not counted). */
  unknownFeatures: string[];
}

/** `chat_panel_*` / `chat_inline` → the mode suffix facts use (`ide_chat` alone is the unknown mode). */
const CHAT_MODES: ReadonlyMap<string, string> = new Map([
  ["chat_panel_ask_mode", ".ask"],
  ["chat_inline", ".inline"],
  ["chat_panel_unknown_mode", ""],
  ["chat_panel_edit_mode", ".edit"],
  ["chat_panel_agent_mode", ".agent"],
  ["chat_panel_plan_mode", ".plan"],
  ["chat_panel_custom_mode", ".custom"],
]);
/** Features whose facts are kept by model. */
const MODEL_FEATURES: readonly string[] = [...CHAT_MODES.keys(), "agent_edit"];
/** Features that never happen in an IDE. */
const NOT_IDE: ReadonlySet<string> = new Set(["copilot_cli", "copilot_app"]);

const n = (r: CounterRow | undefined, c: CounterName): number => r?.[c] ?? 0;
const nonZero = (r: CounterRow) => COUNTER_NAMES.some((c) => n(r, c) > 0);

/** The IDEs of the record and whether the IDE feature rows are all theirs (a single-IDE day). */
function idesOf(rec: ImportedRecord): { ides: CounterRow[]; single: boolean } {
  const ides = (rec.totals_by_ide ?? []).filter(nonZero).sort((a, b) => cmp(a.ide ?? "", b.ide ?? ""));
  if (ides.length !== 1) return { ides, single: ides.length === 0 };
  const ideFeatures = (rec.totals_by_feature ?? []).filter(
    (f) => KNOWN_FEATURES.has(f.feature ?? "") && !NOT_IDE.has(f.feature ?? ""),
  );
  const single = COUNTER_NAMES.every((c) => ideFeatures.reduce((s, f) => s + n(f, c), 0) === n(ides[0], c));
  return { ides, single };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Each IDE's weight: generations, else interactions, else 1. */
function weights(ides: readonly CounterRow[]): number[] {
  for (const c of ["code_generation_activity_count", "user_initiated_interaction_count"] as const) {
    const w = ides.map((i) => n(i, c));
    if (w.some((x) => x > 0)) return w;
  }
  return ides.map(() => 1);
}

/** Splits `total` in proportion to `w` with largest-remainder rounding (ties to the earlier share). */
export function apportion(total: number, w: readonly number[]): number[] {
  const sum = w.reduce((a, b) => a + b, 0);
  if (sum === 0 || total === 0) return w.map(() => 0);
  const exact = w.map((x) => (total * x) / sum);
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i]!++;
    left--;
  }
  return shares;
}

/** Turns one validated record into facts. */
export function recordFacts(rec: ImportedRecord): RecordFacts {
  // The record itself: makes its user active, and engaged as the spec defines it (a prompt or an acceptance), even
  // when those came from features this version does not know. `activity` counts nothing else in either output.
  const engaged =
    n(rec, "user_initiated_interaction_count") > 0 || n(rec, "code_acceptance_activity_count") > 0;
  const out: Omit<FactRow, "userId">[] = [
    { feature: "activity", editor: "", model: "", dim: "", n1: 0, n2: engaged ? 1 : 0, n3: 0, n4: 0 },
  ];
  const { ides, single } = idesOf(rec);
  const editors = ides.length === 0 ? ["unknown"] : ides.map((i) => i.ide ?? "unknown");
  const split = !single;
  const w = weights(ides);
  /** Adds a fact, split over the IDEs when the day is not single-IDE. */
  const add = (feature: string, model: string, dim: string, c: [number, number, number, number]) => {
    if (c.every((x) => x === 0)) return;
    if (editors.length === 1) {
      out.push({ feature, editor: editors[0]!, model, dim, n1: c[0], n2: c[1], n3: c[2], n4: c[3] });
      return;
    }
    const parts = c.map((x) => apportion(x, w));
    editors.forEach((editor, i) => {
      const s = [parts[0]![i]!, parts[1]![i]!, parts[2]![i]!, parts[3]![i]!] as const;
      if (s.some((x) => x > 0))
        out.push({ feature, editor, model, dim, n1: s[0], n2: s[1], n3: s[2], n4: s[3] });
    });
  };
  const completion = (r: CounterRow): [number, number, number, number] => [
    n(r, "code_generation_activity_count"),
    n(r, "code_acceptance_activity_count"),
    n(r, "loc_suggested_to_add_sum"),
    n(r, "loc_added_sum"),
  ];

  const unknown = new Set<string>();
  for (const f of rec.totals_by_feature ?? [])
    if (f.feature && !KNOWN_FEATURES.has(f.feature)) unknown.add(f.feature);
  for (const arr of [rec.totals_by_language_feature, rec.totals_by_model_feature])
    for (const f of arr ?? []) if (f.feature && !KNOWN_FEATURES.has(f.feature)) unknown.add(f.feature);

  // Completions by language, and what the language rows do not cover with no language.
  const left = completion((rec.totals_by_feature ?? []).find((f) => f.feature === "code_completion") ?? {});
  for (const r of rec.totals_by_language_feature ?? []) {
    if (r.feature !== "code_completion") continue;
    const c = completion(r);
    add("completion", "default", r.language ?? "", c);
    for (let i = 0; i < 4; i++) left[i] = Math.max(0, left[i]! - c[i]!);
  }
  add("completion", "default", "", left);

  // Chat and agent edits by model; a feature's totals not covered by model rows go to the default model.
  const byFeature = new Map((rec.totals_by_feature ?? []).map((f) => [f.feature ?? "", f]));
  const covered = new Map<string, CounterRow[]>();
  for (const r of rec.totals_by_model_feature ?? []) {
    const f = r.feature ?? "";
    if (!CHAT_MODES.has(f) && f !== "agent_edit") continue;
    const list = covered.get(f);
    if (list) list.push(r);
    else covered.set(f, [r]);
  }
  for (const f of MODEL_FEATURES) {
    const total = byFeature.get(f);
    const listed = covered.get(f);
    // Neither totals nor model rows: every fact of the feature would be zero (and `add` keeps none).
    if (!total && !listed) continue;
    const rows = listed ?? [];
    const rest: CounterRow = {};
    if (total)
      for (const c of COUNTER_NAMES)
        rest[c] = Math.max(0, n(total, c) - rows.reduce((s, r) => s + n(r, c), 0));
    for (const r of [...rows, { ...rest, model: "default" }]) {
      const model = r.model || "default";
      if (f === "agent_edit") {
        add("agent_edit", model, "", [
          n(r, "code_generation_activity_count"),
          n(r, "loc_added_sum"),
          n(r, "loc_deleted_sum"),
          0,
        ]);
        continue;
      }
      const mode = CHAT_MODES.get(f)!;
      add(`ide_chat${mode}`, model, "", [
        n(r, "user_initiated_interaction_count"),
        n(r, "code_acceptance_activity_count"),
        0,
        n(r, "loc_added_sum"),
      ]);
      add(`chat_code${mode}`, model, "", [
        n(r, "code_generation_activity_count"),
        n(r, "loc_suggested_to_add_sum"),
        0,
        0,
      ]);
    }
  }

  const cli = rec.totals_by_cli;
  if (cli && (cli.session_count ?? 0) + (cli.prompt_count ?? 0) + (cli.request_count ?? 0) > 0) {
    out.push({
      feature: "cli",
      editor: "",
      model: "",
      dim: "",
      n1: cli.session_count ?? 0,
      n2: cli.prompt_count ?? 0,
      n3: cli.request_count ?? 0,
      n4: 0,
    });
    const t = cli.token_usage;
    if (t && (t.prompt_tokens_sum ?? 0) + (t.output_tokens_sum ?? 0) > 0)
      out.push({
        feature: "cli_tokens",
        editor: "",
        model: "",
        dim: "",
        n1: t.prompt_tokens_sum ?? 0,
        n2: t.output_tokens_sum ?? 0,
        n3: 0,
        n4: 0,
      });
  }
  for (const a of rec.totals_by_3rd_party_agent ?? []) {
    if (!a.agent_id || (a.session_count ?? 0) + (a.user_initiated_interaction_count ?? 0) === 0) continue;
    out.push({
      feature: "agent_session",
      editor: "",
      model: "",
      dim: a.agent_id,
      n1: a.session_count ?? 0,
      n2: a.user_initiated_interaction_count ?? 0,
      n3: 0,
      n4: 0,
    });
  }
  return { facts: merge(out), split, unknownFeatures: [...unknown].sort() };
}

/**
 * Facts with the same key added together (the facts table has one row per key). A record makes a handful of facts:
 * compared pairwise, without a key string per fact; the facts are `recordFacts`' own objects, added into in place.
 */
function merge(facts: Omit<FactRow, "userId">[]): Omit<FactRow, "userId">[] {
  if (facts.length > 64) return mergeByKey(facts);
  const out: Omit<FactRow, "userId">[] = [];
  for (const f of facts) {
    let e: Omit<FactRow, "userId"> | undefined;
    for (const o of out)
      if (o.feature === f.feature && o.editor === f.editor && o.model === f.model && o.dim === f.dim) {
        e = o;
        break;
      }
    if (!e) out.push(f);
    else {
      e.n1 += f.n1;
      e.n2 += f.n2;
      e.n3 += f.n3;
      e.n4 += f.n4;
    }
  }
  return out;
}

function mergeByKey(facts: Omit<FactRow, "userId">[]): Omit<FactRow, "userId">[] {
  const by = new Map<string, Omit<FactRow, "userId">>();
  for (const f of facts) {
    const k = `${f.feature}\0${f.editor}\0${f.model}\0${f.dim}`;
    const e = by.get(k);
    if (!e) by.set(k, f);
    else {
      e.n1 += f.n1;
      e.n2 += f.n2;
      e.n3 += f.n3;
      e.n4 += f.n4;
    }
  }
  return [...by.values()];
}

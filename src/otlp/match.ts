import type { Attrs, AttrValue } from "./model.js";
import type { NativeEventType } from "./native.js";
import { GENAI, TOOL_TABLES } from "./tables/index.js";
import type { Field, Rule, SignalKind, TokenColumn, ToolTable } from "./tables/types.js";

/** A rule that applies to an item, with the table it came from. */
export interface Match {
  rule: Rule;
  /** Position of the rule in its table: part of event ids, so two rules of one item never share an id. */
  ruleKey: string;
  /** The tool usage rows are kept under. */
  tool: string;
}

/** Looks an attribute up in the item's own attributes first, then its parents' (span, resource). */
export type Lookup = (key: string) => AttrValue | undefined;

export function lookupIn(first: Attrs, second: Attrs, third?: Attrs): Lookup {
  // One closure per item (or span event) without a rest array to walk: this runs once per item of a request.
  if (third === undefined) return (key) => first[key] ?? second[key];
  return (key) => first[key] ?? second[key] ?? third[key];
}

const byService = new Map<string, ToolTable>();
for (const t of TOOL_TABLES) for (const s of t.services) byService.set(s, t);

/** A rule as matching reads it: its conditions and fields as entries, listed once instead of per item. */
interface Candidate {
  rule: Rule;
  ruleKey: string;
  when: readonly (readonly [string, readonly string[]])[];
}

/** The rules by table tool and signal (an outer key built once per item), then by signal name. */
function index(tables: readonly ToolTable[]): Map<string, Map<string, Candidate[]>> {
  const m = new Map<string, Map<string, Candidate[]>>();
  for (const table of tables)
    table.rules.forEach((rule, i) => {
      const outer = `${table.tool}\u0000${rule.signal}`;
      const byName = m.get(outer) ?? new Map<string, Candidate[]>();
      m.set(outer, byName);
      const list = byName.get(rule.name) ?? [];
      list.push({ rule, ruleKey: `${table.tool || "genai"}.${i}`, when: Object.entries(rule.when ?? {}) });
      byName.set(rule.name, list);
    });
  return m;
}
const RULES = index([...TOOL_TABLES, GENAI]);

/** The fields of each rule's `emit`, as entries. */
const EMIT_FIELDS = new Map<Rule, readonly (readonly [string, Field])[]>();
for (const t of [...TOOL_TABLES, GENAI])
  for (const rule of t.rules) if (rule.emit) EMIT_FIELDS.set(rule, Object.entries(rule.emit.fields));

/** The table of a `service.name`, if a tool's table claims it. */
export function tableOf(service: string): ToolTable | undefined {
  return byService.get(service);
}

/** The rules of the item's tool (and the GenAI conventions') whose name and attribute conditions it meets. */
export function matchRules(
  service: string,
  signal: SignalKind,
  name: string,
  look: Lookup,
  isRoot = true,
): Match[] {
  const table = byService.get(service);
  const out: Match[] = [];
  if (table) consider(out, RULES.get(`${table.tool}\u0000${signal}`)?.get(name), table.tool, look, isRoot);
  if (!table || table.genericTokens)
    consider(
      out,
      RULES.get(`\u0000${signal}`)?.get(name),
      table?.tool ?? (service || "unknown"),
      look,
      isRoot,
    );
  return out;
}

function consider(
  out: Match[],
  candidates: readonly Candidate[] | undefined,
  tool: string,
  look: Lookup,
  isRoot: boolean,
): void {
  if (candidates === undefined) return;
  for (const c of candidates) {
    if (c.rule.rootOnly && !isRoot) continue;
    if (!conditionsHold(c.when, look)) continue;
    out.push({ rule: c.rule, ruleKey: c.ruleKey, tool });
  }
}

function conditionsHold(when: Candidate["when"], look: Lookup): boolean {
  for (const [k, allowed] of when) {
    const v = look(k);
    if (v === undefined || !allowed.includes(String(v))) return false;
  }
  return true;
}

/** A field's value for this item; `value` is the metric point's increase (1 for a log record or span). */
export function fieldValue(f: Field, look: Lookup, value: number): AttrValue | undefined {
  if ("const" in f) return f.const;
  if ("value" in f) return value;
  if ("service" in f) return look("service.name");
  for (const a of f.attr) {
    const v = look(a);
    if (v === undefined || v === "") continue;
    if (f.map) {
      const mapped = f.map[String(v)];
      if (mapped !== undefined) return mapped;
      continue;
    }
    return v;
  }
  return f.default;
}

const NAME_FIELDS = new Set(["editor", "model", "language"]);
const TEXT_FIELDS = new Set(["editor_version", "plugin", "plugin_version", "cli_version", "agent_id"]);

/**
 * A name as the native contract takes it (1–64 of letters, digits, `._+#-`): other characters become `-`, so
 * `IntelliJ IDEA` is `IntelliJ-IDEA` and `anthropic/claude` is `anthropic-claude`.
 */
export function asName(v: string): string {
  // Most names are already names: tested first, replaced only when some character is not allowed.
  return (NOT_NAME.test(v) ? v.replace(NOT_NAME_ALL, "-") : v).slice(0, 64);
}
const NOT_NAME = /[^A-Za-z0-9._+#-]/;
const NOT_NAME_ALL = /[^A-Za-z0-9._+#-]/g;

/** The native event fields a rule's `emit` makes for one item (without id, timestamp and user). */
export function eventFields(
  rule: Rule,
  look: Lookup,
  value: number,
): { type: NativeEventType } & Record<string, AttrValue> {
  const emit = rule.emit!;
  const out: { type: NativeEventType } & Record<string, AttrValue> = { type: emit.type };
  for (const [k, f] of EMIT_FIELDS.get(rule) ?? Object.entries(emit.fields)) {
    const v = fieldValue(f, look, value);
    if (v === undefined) continue;
    if (NAME_FIELDS.has(k)) {
      const n = asName(String(v));
      if (n !== "") out[k] = n;
    } else if (TEXT_FIELDS.has(k)) {
      const s = String(v).slice(0, 64);
      if (s !== "") out[k] = s;
    } else out[k] = typeof v === "number" ? Math.round(v) : v;
  }
  return out;
}

/** One addition to the usage table. */
export interface UsageAdd {
  tool: string;
  model: string;
  column: TokenColumn | "cost" | "lines_added" | "lines_deleted";
  amount: number;
}

/** What a rule's `usage` adds for one item. */
export function usageAdds(m: Match, look: Lookup, value: number): UsageAdd[] {
  const u = m.rule.usage!;
  const model = asName(String(fieldValue(u.model, look, value) ?? "default")) || "default";
  const base = { tool: m.tool, model };
  switch (u.measure.kind) {
    case "tokens": {
      const t = fieldValue(u.measure.type, look, value);
      const column: TokenColumn = t === "input" || t === "output" || t === "cache" ? t : "other";
      return [{ ...base, column, amount: value }];
    }
    case "cost":
      return [{ ...base, column: "cost", amount: value }];
    case "lines": {
      const added = Number(fieldValue(u.measure.added, look, value) ?? 0);
      const deleted = Number(fieldValue(u.measure.deleted, look, value) ?? 0);
      const out: UsageAdd[] = [];
      if (Number.isFinite(added) && added > 0) out.push({ ...base, column: "lines_added", amount: added });
      if (Number.isFinite(deleted) && deleted > 0)
        out.push({ ...base, column: "lines_deleted", amount: deleted });
      return out;
    }
  }
}

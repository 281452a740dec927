/**
 * Pure sums over the rows of `GET /telemetry/v1/usage` (tokens, cost and lines per user, day, tool and model,
 * as the tools reported them over OpenTelemetry). A tool that never reported cost (or tokens) in the range
 * shows none, not a zero: Gemini CLI and Codex send no cost, Copilot Chat's lines are not in this table.
 */
import type { UsageRow } from "./report-types.js";

/** Display names of the tools pilotlog's OpenTelemetry tables know (src/otlp/tables/). */
export const TOOL_NAMES: Record<string, string> = {
  "copilot-chat": "Copilot Chat",
  "copilot-cli": "Copilot CLI",
  "claude-code": "Claude Code",
  "gemini-cli": "Gemini CLI",
  codex: "Codex",
};

export const toolName = (tool: string): string => TOOL_NAMES[tool] ?? tool;

export interface TokenSums {
  inputTokens: number;
  outputTokens: number;
  cacheTokens: number;
  otherTokens: number;
  totalTokens: number;
  /** USD; null when the tool reported no cost in the range. */
  cost: number | null;
}

export interface ToolRow extends TokenSums {
  tool: string;
  users: number;
  /** Null when the tool reported no lines here (Claude Code's lines are agent edits, in the records). */
  linesAdded: number | null;
  linesDeleted: number | null;
}

export interface ModelRow extends TokenSums {
  tool: string;
  model: string;
  users: number;
}

const tokens = (r: UsageRow) => r.input_tokens + r.output_tokens + r.cache_tokens + r.other_tokens;

function sums(rows: readonly UsageRow[], costReported: boolean): TokenSums & { who: Set<string> } {
  const s = {
    inputTokens: 0,
    outputTokens: 0,
    cacheTokens: 0,
    otherTokens: 0,
    totalTokens: 0,
    cost: 0,
    who: new Set<string>(),
  };
  for (const r of rows) {
    s.inputTokens += r.input_tokens;
    s.outputTokens += r.output_tokens;
    s.cacheTokens += r.cache_tokens;
    s.otherTokens += r.other_tokens;
    s.totalTokens += tokens(r);
    s.cost += r.cost_usd;
    s.who.add(r.user.toLowerCase());
  }
  return { ...s, cost: costReported ? s.cost : null };
}

function groupBy<K>(rows: readonly UsageRow[], key: (r: UsageRow) => K): Map<K, UsageRow[]> {
  const m = new Map<K, UsageRow[]>();
  for (const r of rows) {
    const list = m.get(key(r));
    if (list) list.push(r);
    else m.set(key(r), [r]);
  }
  return m;
}

/** The rows of these users only (logins compared without case); all rows when `logins` is null. */
export function usageOf(rows: readonly UsageRow[], logins: ReadonlySet<string> | null): UsageRow[] {
  if (!logins) return [...rows];
  const lower = new Set([...logins].map((l) => l.toLowerCase()));
  return rows.filter((r) => lower.has(r.user.toLowerCase()));
}

/** Per tool: users, tokens, cost and lines, most tokens first. */
export function usageByTool(rows: readonly UsageRow[]): ToolRow[] {
  return [...groupBy(rows, (r) => r.tool)]
    .map(([tool, list]) => {
      const { who, ...s } = sums(
        list,
        list.some((r) => r.cost_usd !== 0),
      );
      const added = list.reduce((n, r) => n + r.lines_added, 0);
      const deleted = list.reduce((n, r) => n + r.lines_deleted, 0);
      const lines = added !== 0 || deleted !== 0;
      return {
        tool,
        users: who.size,
        ...s,
        linesAdded: lines ? added : null,
        linesDeleted: lines ? deleted : null,
      };
    })
    .sort((a, b) => b.totalTokens - a.totalTokens || (a.tool < b.tool ? -1 : 1));
}

/**
 * Per tool and model: tokens and cost where the tool reports them, most tokens first. Rows with neither (a tool's
 * lines only) are left out.
 */
export function usageByModel(rows: readonly UsageRow[]): ModelRow[] {
  const costTools = new Set(rows.filter((r) => r.cost_usd !== 0).map((r) => r.tool));
  return [...groupBy(rows, (r) => `${r.tool}\u0000${r.model}`)]
    .map(([key, list]) => {
      const [tool = "", model = ""] = key.split("\u0000");
      const { who, ...s } = sums(list, costTools.has(tool));
      return { tool, model, users: who.size, ...s };
    })
    .filter((r) => r.totalTokens > 0 || (r.cost ?? 0) !== 0)
    .sort((a, b) => b.totalTokens - a.totalTokens || (a.tool + a.model < b.tool + b.model ? -1 : 1));
}

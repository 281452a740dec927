import { describe, expect, it } from "vitest";
import type { UsageRow } from "./report-types.js";
import { toolName, usageByModel, usageByTool, usageOf } from "./usage-aggregate.js";

const row = (user: string, tool: string, model: string, n: Partial<UsageRow> = {}): UsageRow => ({
  day: "2026-11-19",
  user,
  tool,
  model,
  input_tokens: 0,
  output_tokens: 0,
  cache_tokens: 0,
  other_tokens: 0,
  cost_usd: 0,
  lines_added: 0,
  lines_deleted: 0,
  ...n,
});

/*
 * tom: Claude Code, sonnet, 1,500 in / 200 out / 5,000 cache, $0.75; and lines +12 −3 under model "default".
 * ann: Claude Code, sonnet, 100 in, $0.05. ann: Gemini CLI, 400 in / 50 out, no cost. zed: not in the scope.
 */
const ROWS: UsageRow[] = [
  row("tom", "claude-code", "claude-sonnet-4-5", {
    input_tokens: 1500,
    output_tokens: 200,
    cache_tokens: 5000,
    cost_usd: 0.75,
  }),
  row("tom", "claude-code", "default", { lines_added: 12, lines_deleted: 3 }),
  row("ann", "claude-code", "claude-sonnet-4-5", { input_tokens: 100, cost_usd: 0.05 }),
  row("Ann", "gemini-cli", "gemini-2.5-pro", { input_tokens: 400, output_tokens: 50 }),
  row("zed", "codex", "gpt-5", { input_tokens: 9999 }),
];

describe("OpenTelemetry usage aggregates", () => {
  const scoped = usageOf(ROWS, new Set(["TOM", "ann"]));

  it("keeps the scope's users only, logins without case", () => {
    expect(scoped.map((r) => r.user)).toEqual(["tom", "tom", "ann", "Ann"]);
    expect(usageOf(ROWS, null)).toHaveLength(5);
  });

  it("sums per tool; a tool that reported no cost shows none", () => {
    expect(usageByTool(scoped)).toEqual([
      {
        tool: "claude-code",
        users: 2,
        inputTokens: 1600,
        outputTokens: 200,
        cacheTokens: 5000,
        otherTokens: 0,
        totalTokens: 6800,
        cost: 0.8,
        linesAdded: 12,
        linesDeleted: 3,
      },
      {
        tool: "gemini-cli",
        users: 1,
        inputTokens: 400,
        outputTokens: 50,
        cacheTokens: 0,
        otherTokens: 0,
        totalTokens: 450,
        cost: null,
        linesAdded: null,
        linesDeleted: null,
      },
    ]);
  });

  it("sums per tool and model, leaving out rows of lines only", () => {
    const m = usageByModel(scoped);
    expect(m.map((r) => [r.tool, r.model, r.totalTokens, r.cost, r.users])).toEqual([
      ["claude-code", "claude-sonnet-4-5", 6800, 0.8, 2],
      ["gemini-cli", "gemini-2.5-pro", 450, null, 1],
    ]);
  });

  it("names the known tools", () => {
    expect(toolName("claude-code")).toBe("Claude Code");
    expect(toolName("my-agent")).toBe("my-agent");
  });
});

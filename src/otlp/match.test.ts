import { describe, expect, it } from "vitest";
import { eventFields, lookupIn, matchRules, usageAdds } from "./match.js";
import type { Attrs } from "./model.js";

/** What one item of a tool becomes: the native event fields and usage additions of every rule it meets. */
function map(
  resource: Attrs,
  signal: "metric" | "log" | "span" | "span_event",
  name: string,
  attrs: Attrs,
  value = 1,
  root = true,
) {
  const look = lookupIn(attrs, resource);
  return matchRules(String(resource["service.name"] ?? ""), signal, name, look, root).map((m) => ({
    ...(m.rule.emit ? { event: eventFields(m.rule, look, m.rule.emit.per === "unit" ? 1 : value) } : {}),
    ...(m.rule.usage ? { usage: usageAdds(m, look, value) } : {}),
  }));
}

describe("the tools' mapping tables", () => {
  const chat = { "service.name": "copilot-chat", "service.version": "0.40.1" };
  it("Copilot Chat: a root invoke_agent span is an IDE prompt in VS Code, with model and mode", () => {
    expect(
      map(chat, "span", "invoke_agent", { "gen_ai.request.model": "gpt-4o", "gen_ai.agent.name": "agent" }),
    ).toEqual([
      {
        event: {
          type: "chat.prompted",
          surface: "ide",
          editor: "vscode",
          model: "gpt-4o",
          mode: "agent",
          plugin: "copilot-chat",
          plugin_version: "0.40.1",
        },
      },
    ]);
    // An agent name the extension's source does not tie to a mode leaves the mode unknown (absent).
    expect(map(chat, "span", "invoke_agent", { "gen_ai.agent.name": "copilot" })[0]!.event).toEqual({
      type: "chat.prompted",
      surface: "ide",
      editor: "vscode",
      plugin: "copilot-chat",
      plugin_version: "0.40.1",
    });
    expect(map(chat, "span", "invoke_agent", {}, 1, false)).toEqual([]);
  });
  it("Copilot Chat: ide.name names the editor (JetBrains), spaces made contract-safe", () => {
    const jb = { ...chat, "ide.name": "IntelliJ IDEA" };
    expect(map(jb, "metric", "copilot_chat.user.action.count", { action: "copy" })[0]!.event).toMatchObject({
      type: "chat.copied",
      editor: "IntelliJ-IDEA",
    });
  });
  it("Copilot Chat: insert and apply are insertions, followup is nothing, lines become agent.edit lines", () => {
    expect(map(chat, "metric", "copilot_chat.user.action.count", { action: "apply" })[0]!.event!.type).toBe(
      "chat.inserted",
    );
    expect(map(chat, "metric", "copilot_chat.user.action.count", { action: "followup" })).toEqual([]);
    expect(
      map(
        chat,
        "metric",
        "copilot_chat.lines_of_code.count",
        { type: "removed", language_id: "typescript" },
        12,
      )[0]!.event,
    ).toEqual({
      type: "agent.edit",
      editor: "vscode",
      language: "typescript",
      lines_deleted: 12,
      plugin: "copilot-chat",
      plugin_version: "0.40.1",
    });
    expect(map(chat, "metric", "copilot_chat.edit.acceptance.count", { outcome: "rejected" })).toEqual([]);
  });
  it("Copilot Chat: gen_ai.client.token.usage is usage of the tool, by model and token type", () => {
    expect(
      map(
        chat,
        "metric",
        "gen_ai.client.token.usage",
        { "gen_ai.token.type": "output", "gen_ai.request.model": "gpt-4o" },
        250,
      ),
    ).toEqual([{ usage: [{ tool: "copilot-chat", model: "gpt-4o", column: "output", amount: 250 }] }]);
  });
  it("Copilot CLI: prompts, requests and tokens are cli.session counts; the CLI version is kept", () => {
    const cli = { "service.name": "github-copilot", "service.version": "0.0.340" };
    expect(
      map(cli, "span", "invoke_agent", { "gen_ai.request.model": "claude-sonnet-4.5" })[0]!.event,
    ).toEqual({
      type: "cli.session",
      prompts: 1,
      model: "claude-sonnet-4.5",
      cli_version: "0.0.340",
    });
    expect(
      map(
        cli,
        "metric",
        "gen_ai.client.token.usage",
        { "gen_ai.token.type": "input", "gen_ai.request.model": "gpt-5" },
        1234,
      ),
    ).toEqual([
      { event: { type: "cli.session", prompt_tokens: 1234, model: "gpt-5", cli_version: "0.0.340" } },
      { usage: [{ tool: "copilot-cli", model: "gpt-5", column: "input", amount: 1234 }] },
    ]);
    expect(
      map(cli, "span_event", "github.copilot.session.shutdown", { lines_added: 30, lines_removed: 4 }),
    ).toEqual([
      {
        usage: [
          { tool: "copilot-cli", model: "default", column: "lines_added", amount: 30 },
          { tool: "copilot-cli", model: "default", column: "lines_deleted", amount: 4 },
        ],
      },
    ]);
  });
  it("Claude Code: prompts and sessions are agent.session, accepted edits and lines agent.edit, tokens and cost usage", () => {
    const cc = { "service.name": "claude-code" };
    expect(map(cc, "log", "claude_code.user_prompt", { "user.email": "a@b.c" })[0]!.event).toEqual({
      type: "agent.session",
      agent_id: "claude-code",
      agent_name: "Claude Code",
      prompts: 1,
    });
    expect(map(cc, "metric", "claude_code.session.count", {})[0]!.event).toEqual({
      type: "agent.session",
      agent_id: "claude-code",
      agent_name: "Claude Code",
      prompts: 0,
    });
    expect(
      map(cc, "metric", "claude_code.code_edit_tool.decision", {
        decision: "accept",
        language: "Python",
        "terminal.type": "vscode",
      })[0]!.event,
    ).toEqual({
      type: "agent.edit",
      editor: "vscode",
      language: "Python",
    });
    expect(map(cc, "metric", "claude_code.code_edit_tool.decision", { decision: "reject" })).toEqual([]);
    expect(
      map(
        cc,
        "metric",
        "claude_code.token.usage",
        { type: "cacheCreation", model: "claude-opus-4-1" },
        900,
      )[0]!.usage,
    ).toEqual([{ tool: "claude-code", model: "claude-opus-4-1", column: "cache", amount: 900 }]);
    expect(map(cc, "metric", "claude_code.cost.usage", { model: "claude-opus-4-1" }, 0.42)[0]!.usage).toEqual(
      [{ tool: "claude-code", model: "claude-opus-4-1", column: "cost", amount: 0.42 }],
    );
  });
  it("Gemini CLI: its own token counter only (gen_ai.client.token.usage would count the same tokens twice)", () => {
    const g = { "service.name": "gemini-cli" };
    expect(map(g, "metric", "gen_ai.client.token.usage", { "gen_ai.token.type": "input" }, 10)).toEqual([]);
    expect(
      map(g, "metric", "gemini_cli.token.usage", { type: "thought", model: "gemini-2.5-pro" }, 10)[0]!.usage,
    ).toEqual([{ tool: "gemini-cli", model: "gemini-2.5-pro", column: "other", amount: 10 }]);
    expect(
      map(g, "metric", "gemini_cli.tool.call.count", { decision: "accept", function_name: "replace" })[0]!
        .event,
    ).toEqual({ type: "agent.edit", editor: "terminal" });
    expect(map(g, "metric", "gemini_cli.lines.changed", { type: "added" }, 7)[0]!.event).toEqual({
      type: "agent.edit",
      editor: "terminal",
      lines_added: 7,
    });
  });
  it("Codex: the service name is the agent id; approved tool decisions are edits; total tokens are not counted again", () => {
    const cx = { "service.name": "codex_tui" };
    expect(map(cx, "log", "codex.user_prompt", {})[0]!.event).toEqual({
      type: "agent.session",
      agent_id: "codex_tui",
      agent_name: "Codex",
      prompts: 1,
    });
    expect(map(cx, "log", "codex.tool_decision", { decision: "approved_for_session" })[0]!.event!.type).toBe(
      "agent.edit",
    );
    expect(map(cx, "log", "codex.tool_decision", { decision: "denied" })).toEqual([]);
    expect(
      map(cx, "metric", "codex.turn.token_usage", { token_type: "total", model: "gpt-5-codex" }, 99),
    ).toEqual([]);
  });
  it("any other service: gen_ai.client.token.usage counts as usage under its service name; the rest is unmapped", () => {
    const other = { "service.name": "my-agent" };
    expect(
      map(
        other,
        "metric",
        "gen_ai.client.token.usage",
        { "gen_ai.token.type": "input", "gen_ai.response.model": "m/x" },
        3,
      )[0]!.usage,
    ).toEqual([{ tool: "my-agent", model: "m-x", column: "input", amount: 3 }]);
    expect(map(other, "span", "invoke_agent", {})).toEqual([]);
  });
});

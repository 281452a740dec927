import { describe, expect, it } from "vitest";
import { foldFacts } from "./fold.js";
import { validateEvent } from "./validate.js";
import { versionRows } from "./versions.js";

// Events v1.1 (telemetry-events.md "Added in v1.1"): the expected values are read off the contract's table.

const ctx = { now: new Date("2026-11-22T12:00:00Z"), earliestDay: "2026-10-25" };
const ok = (v: unknown) => {
  const r = validateEvent(v, ctx);
  if (!r.ok) throw new Error(r.message);
  return r.event;
};
const why = (v: unknown) => {
  const r = validateEvent(v, ctx);
  if (r.ok) throw new Error("expected a rejection");
  return r.message;
};
const base = { id: "e1", user: "mona", timestamp: "2026-11-22T09:15:02Z" };
const common = { id: "e1", user: "mona", day: "2026-11-22", at: "2026-11-22T09:15:02.000Z" };

describe("validateEvent v1.1", () => {
  it("reads mode, language and versions on an IDE chat prompt", () => {
    expect(
      ok({
        ...base,
        type: "chat.prompted",
        surface: "ide",
        editor: "vscode",
        mode: "agent",
        language: "go",
        editor_version: "1.99.0",
        plugin: "copilot-chat",
        plugin_version: "0.27.1",
      }),
    ).toEqual({
      ...common,
      type: "chat.prompted",
      surface: "ide",
      editor: "vscode",
      model: "default",
      mode: "agent",
      language: "go",
      editorVersion: "1.99.0",
      plugin: "copilot-chat",
      pluginVersion: "0.27.1",
    });
  });

  it("reads the four new types, a missing count being 0", () => {
    expect(
      ok({
        ...base,
        type: "chat.code_generated",
        editor: "vscode",
        mode: "inline",
        language: "ts",
        lines: 7,
      }),
    ).toEqual({
      ...common,
      type: "chat.code_generated",
      editor: "vscode",
      model: "default",
      mode: "inline",
      language: "ts",
      lines: 7,
    });
    expect(ok({ ...base, type: "agent.edit", editor: "vscode", lines_added: 12 })).toEqual({
      ...common,
      type: "agent.edit",
      editor: "vscode",
      model: "default",
      linesAdded: 12,
      linesDeleted: 0,
    });
    expect(
      ok({
        ...base,
        type: "cli.session",
        prompts: 2,
        requests: 2,
        prompt_tokens: 3800,
        output_tokens: 5000,
        cli_version: "1.0.8",
      }),
    ).toEqual({
      ...common,
      type: "cli.session",
      model: "default",
      prompts: 2,
      requests: 2,
      promptTokens: 3800,
      outputTokens: 5000,
      cliVersion: "1.0.8",
    });
    expect(
      ok({ ...base, type: "agent.session", agent_id: "claude-code", agent_name: "Claude Code" }),
    ).toEqual({
      ...common,
      type: "agent.session",
      agentId: "claude-code",
      agentName: "Claude Code",
      prompts: 0,
    });
  });

  it.each([
    [
      { type: "chat.prompted", surface: "ide", editor: "vscode", mode: "yolo" },
      '"mode" must be one of ask, edit',
    ],
    [{ type: "chat.inserted", editor: "vscode", lines: -2 }, '"lines" must be an integer ≥ 0'],
    [{ type: "chat.code_generated", lines: 1 }, '"editor" is required'],
    [{ type: "agent.edit", editor: "vscode", lines_deleted: 1.5 }, '"lines_deleted" must be an integer'],
    [{ type: "agent.edit", lines_added: 1 }, '"editor" is required'],
    [{ type: "cli.session", prompts: "2" }, '"prompts" must be an integer'],
    [{ type: "agent.session", agent_name: "Codex" }, '"agent_id" is required'],
    [{ type: "agent.session", agent_id: "codex" }, '"agent_name" is required'],
    [
      { type: "agent.session", agent_id: "x".repeat(65), agent_name: "X" },
      '"agent_id" must be a string of 1–64',
    ],
    [
      { type: "completion.suggested", editor: "vscode", language: "go", lines: 1, editor_version: "" },
      '"editor_version" must be',
    ],
  ])("rejects %j", (value, message) => {
    expect(why({ ...base, ...value })).toContain(message);
  });
});

describe("foldFacts and versionRows v1.1", () => {
  it("keys chat facts by mode (bare name for unknown) and language, and splits a CLI session into two facts", () => {
    const f = (v: unknown) => foldFacts(ok(v));
    expect(f({ ...base, type: "chat.prompted", surface: "ide", editor: "vscode" })).toEqual([
      { feature: "ide_chat", editor: "vscode", model: "default", dim: "", n1: 1, n2: 0, n3: 0, n4: 0 },
    ]);
    expect(
      f({ ...base, type: "chat.copied", editor: "vscode", mode: "ask", language: "go", lines: 4 }),
    ).toEqual([
      { feature: "ide_chat.ask", editor: "vscode", model: "default", dim: "go", n1: 0, n2: 0, n3: 1, n4: 4 },
    ]);
    expect(f({ ...base, type: "chat.code_generated", editor: "vscode", mode: "edit", lines: 9 })).toEqual([
      { feature: "chat_code.edit", editor: "vscode", model: "default", dim: "", n1: 1, n2: 9, n3: 0, n4: 0 },
    ]);
    expect(
      f({ ...base, type: "agent.edit", editor: "vscode", language: "go", lines_added: 5, lines_deleted: 2 }),
    ).toEqual([
      { feature: "agent_edit", editor: "vscode", model: "default", dim: "go", n1: 1, n2: 5, n3: 2, n4: 0 },
    ]);
    expect(
      f({ ...base, type: "cli.session", prompts: 2, requests: 3, prompt_tokens: 10, output_tokens: 20 }),
    ).toEqual([
      { feature: "cli", editor: "", model: "", dim: "", n1: 1, n2: 2, n3: 3, n4: 0 },
      { feature: "cli_tokens", editor: "", model: "", dim: "", n1: 10, n2: 20, n3: 0, n4: 0 },
    ]);
    expect(f({ ...base, type: "agent.session", agent_id: "codex", agent_name: "Codex", prompts: 3 })).toEqual(
      [{ feature: "agent_session", editor: "", model: "", dim: "codex", n1: 1, n2: 3, n3: 0, n4: 0 }],
    );
  });

  it("records versions of IDE events (plugin only with its version), the CLI version and agent names", () => {
    const v = (x: unknown) => versionRows(ok(x), 7).map((r) => [r.kind, r.key, r.value]);
    expect(
      v({
        ...base,
        type: "completion.accepted",
        editor: "vscode",
        language: "go",
        lines: 1,
        editor_version: "1.85.0",
        plugin: "copilot",
      }),
    ).toEqual([["ide", "vscode", "1.85.0"]]);
    expect(
      v({
        ...base,
        type: "agent.edit",
        editor: "JetBrains",
        plugin: "copilot-intellij",
        plugin_version: "1.5.0",
      }),
    ).toEqual([["plugin", "JetBrains", "copilot-intellij\u00011.5.0"]]);
    expect(v({ ...base, type: "cli.session", cli_version: "1.0.8" })).toEqual([["cli", "", "1.0.8"]]);
    expect(v({ ...base, type: "cli.session" })).toEqual([]);
    expect(v({ ...base, type: "agent.session", agent_id: "codex", agent_name: "Codex" })).toEqual([
      ["agent", "codex", "Codex"],
    ]);
    expect(v({ ...base, type: "chat.prompted", surface: "dotcom", editor_version: "1" })).toEqual([]);
  });
});

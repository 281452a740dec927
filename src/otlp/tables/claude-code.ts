import type { Field, ToolTable } from "./types.js";

const AGENT = { agent_id: { service: true }, agent_name: { const: "Claude Code" } } as const;
/** Claude Code runs in a terminal; `terminal.type` names it (`vscode`, `cursor`, `iTerm.app`…). */
const EDITOR: Field = { attr: ["terminal.type"], default: "terminal" };
const MODEL: Field = { attr: ["model"] };

/**
 * Claude Code (service `claude-code`), from its monitoring documentation: metrics `claude_code.*` (delta
 * temporality by default) and log events `claude_code.*`; `user.email` when signed in.
 */
export const CLAUDE_CODE: ToolTable = {
  tool: "claude-code",
  services: ["claude-code"],
  genericTokens: true,
  rules: [
    {
      signal: "log",
      name: "claude_code.user_prompt",
      emit: {
        type: "agent.session",
        per: "point",
        countsOnly: true,
        fields: { ...AGENT, prompts: { const: 1 } },
      },
    },
    {
      signal: "metric",
      name: "claude_code.session.count",
      emit: { type: "agent.session", per: "unit", fields: { ...AGENT, prompts: { const: 0 } } },
    },
    {
      signal: "metric",
      name: "claude_code.lines_of_code.count",
      when: { type: ["added"] },
      emit: {
        type: "agent.edit",
        per: "point",
        countsOnly: true,
        fields: { editor: EDITOR, model: MODEL, lines_added: { value: true } },
      },
    },
    {
      signal: "metric",
      name: "claude_code.lines_of_code.count",
      when: { type: ["removed"] },
      emit: {
        type: "agent.edit",
        per: "point",
        countsOnly: true,
        fields: { editor: EDITOR, model: MODEL, lines_deleted: { value: true } },
      },
    },
    {
      signal: "metric",
      name: "claude_code.code_edit_tool.decision",
      when: { decision: ["accept"] },
      emit: {
        type: "agent.edit",
        per: "unit",
        fields: { editor: EDITOR, model: MODEL, language: { attr: ["language"] } },
      },
    },
    {
      signal: "metric",
      name: "claude_code.token.usage",
      usage: {
        model: MODEL,
        measure: {
          kind: "tokens",
          type: {
            attr: ["type"],
            map: { input: "input", output: "output", cacheRead: "cache", cacheCreation: "cache" },
            default: "other",
          },
        },
      },
    },
    { signal: "metric", name: "claude_code.cost.usage", usage: { model: MODEL, measure: { kind: "cost" } } },
  ],
};

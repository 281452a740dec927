import type { Field, ToolTable } from "./types.js";

/** The editor of IDE activity: `vscode` unless the resource names another IDE (JetBrains users set `ide.name`). */
const EDITOR: Field = { attr: ["ide.name"], default: "vscode" };
const MODEL: Field = { attr: ["gen_ai.request.model", "gen_ai.response.model", "model"] };
const VERSIONS = {
  plugin: { const: "copilot-chat" },
  plugin_version: { attr: ["service.version"] },
} as const;

/**
 * GitHub Copilot Chat in VS Code (service `copilot-chat`; JetBrains sends the same names), from the extension's
 * `src/platform/otel/` and docs/monitoring/agent_monitoring.md.
 */
export const COPILOT_CHAT: ToolTable = {
  tool: "copilot-chat",
  services: ["copilot-chat"],
  genericTokens: true,
  rules: [
    {
      // One agent turn: the span around all LLM calls and tool runs of one prompt. A subagent's invoke_agent is
      // the child of the calling agent's execute_tool span, and is not a prompt of the user's.
      signal: "span",
      name: "invoke_agent",
      rootOnly: true,
      emit: {
        type: "chat.prompted",
        per: "point",
        fields: {
          surface: { const: "ide" },
          editor: EDITOR,
          model: MODEL,
          // The agent name is the chat participant/mode where the extension gives one; anything else is unknown.
          mode: {
            attr: ["gen_ai.agent.name"],
            map: {
              ask: "ask",
              edit: "edit",
              editsAgent: "edit",
              agent: "agent",
              agentMode: "agent",
              plan: "plan",
              Plan: "plan",
              inline: "inline",
              inlineChat: "inline",
            },
          },
          ...VERSIONS,
        },
      },
    },
    {
      signal: "metric",
      name: "copilot_chat.user.action.count",
      when: { action: ["insert", "apply"] },
      emit: { type: "chat.inserted", per: "unit", fields: { editor: EDITOR, model: MODEL, ...VERSIONS } },
    },
    {
      signal: "metric",
      name: "copilot_chat.user.action.count",
      when: { action: ["copy"] },
      emit: { type: "chat.copied", per: "unit", fields: { editor: EDITOR, model: MODEL, ...VERSIONS } },
    },
    {
      signal: "metric",
      name: "copilot_chat.edit.acceptance.count",
      when: { outcome: ["accepted"] },
      emit: {
        type: "agent.edit",
        per: "unit",
        fields: {
          editor: EDITOR,
          model: MODEL,
          language: { attr: ["language_id", "languageId"] },
          ...VERSIONS,
        },
      },
    },
    {
      signal: "metric",
      name: "copilot_chat.lines_of_code.count",
      when: { type: ["added"] },
      emit: {
        type: "agent.edit",
        per: "point",
        countsOnly: true,
        fields: {
          editor: EDITOR,
          model: MODEL,
          language: { attr: ["language_id"] },
          lines_added: { value: true },
          ...VERSIONS,
        },
      },
    },
    {
      signal: "metric",
      name: "copilot_chat.lines_of_code.count",
      when: { type: ["removed"] },
      emit: {
        type: "agent.edit",
        per: "point",
        countsOnly: true,
        fields: {
          editor: EDITOR,
          model: MODEL,
          language: { attr: ["language_id"] },
          lines_deleted: { value: true },
          ...VERSIONS,
        },
      },
    },
  ],
};

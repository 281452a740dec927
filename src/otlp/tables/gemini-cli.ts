import type { Field, ToolTable } from "./types.js";

const AGENT = { agent_id: { service: true }, agent_name: { const: "Gemini CLI" } } as const;
const EDITOR: Field = { attr: ["ide.name"], default: "terminal" };
const MODEL: Field = { attr: ["model"] };

/**
 * Gemini CLI (service `gemini-cli`), from docs/cli/telemetry.md: `gemini_cli.*` metrics (cumulative, the SDK's
 * default) and log events; `user.email` on every record when signed in with a Google account. Its tokens also
 * go to `gen_ai.client.token.usage`, so that one is not counted again.
 */
export const GEMINI_CLI: ToolTable = {
  tool: "gemini-cli",
  services: ["gemini-cli"],
  genericTokens: false,
  rules: [
    {
      signal: "log",
      name: "gemini_cli.user_prompt",
      emit: {
        type: "agent.session",
        per: "point",
        countsOnly: true,
        fields: { ...AGENT, prompts: { const: 1 } },
      },
    },
    {
      signal: "metric",
      name: "gemini_cli.session.count",
      emit: { type: "agent.session", per: "unit", fields: { ...AGENT, prompts: { const: 0 } } },
    },
    {
      signal: "metric",
      name: "gemini_cli.lines.changed",
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
      name: "gemini_cli.lines.changed",
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
      name: "gemini_cli.tool.call.count",
      when: { decision: ["accept"] },
      emit: { type: "agent.edit", per: "unit", fields: { editor: EDITOR, model: MODEL } },
    },
    {
      signal: "metric",
      name: "gemini_cli.token.usage",
      usage: {
        model: MODEL,
        measure: {
          kind: "tokens",
          type: {
            attr: ["type"],
            map: { input: "input", output: "output", cache: "cache" },
            default: "other",
          },
        },
      },
    },
  ],
};

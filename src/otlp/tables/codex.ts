import type { Field, ToolTable } from "./types.js";

const AGENT = { agent_id: { service: true }, agent_name: { const: "Codex" } } as const;
const EDITOR: Field = { attr: ["ide.name"], default: "terminal" };
const MODEL: Field = { attr: ["model", "slug"] };

/**
 * OpenAI Codex (services `codex-cli`, `codex_exec`, `codex_tui`), from codex-rs `otel/`: log events carrying
 * `event.name` (`codex.user_prompt`, `codex.conversation_starts`, `codex.tool_decision`), the
 * `codex.turn.token_usage` histogram (delta) by `token_type`; `user.email` when signed in.
 */
export const CODEX: ToolTable = {
  tool: "codex",
  services: ["codex-cli", "codex_exec", "codex_tui"],
  genericTokens: true,
  rules: [
    {
      signal: "log",
      name: "codex.user_prompt",
      emit: {
        type: "agent.session",
        per: "point",
        countsOnly: true,
        fields: { ...AGENT, prompts: { const: 1 } },
      },
    },
    {
      signal: "log",
      name: "codex.conversation_starts",
      emit: { type: "agent.session", per: "point", fields: { ...AGENT, prompts: { const: 0 } } },
    },
    {
      signal: "log",
      name: "codex.tool_decision",
      when: { decision: ["accept", "approved", "approved_for_session"] },
      emit: { type: "agent.edit", per: "point", fields: { editor: EDITOR, model: MODEL } },
    },
    {
      // `total` is the sum of the others and reasoning is part of output: counted once each.
      signal: "metric",
      name: "codex.turn.token_usage",
      when: { token_type: ["input", "output", "cached_input"] },
      usage: {
        model: MODEL,
        measure: {
          kind: "tokens",
          type: { attr: ["token_type"], map: { input: "input", output: "output", cached_input: "cache" } },
        },
      },
    },
  ],
};

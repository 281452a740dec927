import type { Field, ToolTable } from "./types.js";

const MODEL: Field = { attr: ["gen_ai.request.model", "gen_ai.response.model"] };
const VERSION: Field = { attr: ["service.version"] };
/** The CLI puts `session.id` on its resource; every span and point of one session shares it. */
const SESSION: Field = { attr: ["session.id"] };

/**
 * GitHub Copilot CLI (service `github-copilot`): GenAI spans (`invoke_agent` per prompt, `chat` per model
 * request), `gen_ai.client.token.usage`, and the `github.copilot.session.shutdown` span event with the
 * session's lines. CLI activity is `cli.session`, never an editor.
 */
export const COPILOT_CLI: ToolTable = {
  tool: "copilot-cli",
  services: ["github-copilot"],
  genericTokens: true,
  rules: [
    {
      signal: "span",
      name: "invoke_agent",
      rootOnly: true,
      emit: {
        type: "cli.session",
        per: "point",
        session: SESSION,
        fields: { prompts: { const: 1 }, model: MODEL, cli_version: VERSION },
      },
    },
    {
      signal: "span",
      name: "chat",
      emit: {
        type: "cli.session",
        per: "point",
        session: SESSION,
        fields: { requests: { const: 1 }, model: MODEL, cli_version: VERSION },
      },
    },
    {
      signal: "metric",
      name: "gen_ai.client.token.usage",
      when: { "gen_ai.token.type": ["input"] },
      emit: {
        type: "cli.session",
        per: "point",
        session: SESSION,
        fields: { prompt_tokens: { value: true }, model: MODEL, cli_version: VERSION },
      },
    },
    {
      signal: "metric",
      name: "gen_ai.client.token.usage",
      when: { "gen_ai.token.type": ["output"] },
      emit: {
        type: "cli.session",
        per: "point",
        session: SESSION,
        fields: { output_tokens: { value: true }, model: MODEL, cli_version: VERSION },
      },
    },
    {
      signal: "span_event",
      name: "github.copilot.session.shutdown",
      usage: {
        model: MODEL,
        measure: {
          kind: "lines",
          added: { attr: ["lines_added"], default: 0 },
          deleted: { attr: ["lines_removed"], default: 0 },
        },
      },
    },
  ],
};

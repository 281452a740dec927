import type { ToolTable } from "./types.js";

/**
 * The GenAI semantic conventions' token histogram, from any tool (its `service.name` is the usage row's tool),
 * unless the tool's own table says its tokens are counted elsewhere.
 */
export const GENAI: ToolTable = {
  tool: "",
  services: [],
  genericTokens: true,
  rules: [
    {
      signal: "metric",
      name: "gen_ai.client.token.usage",
      usage: {
        model: { attr: ["gen_ai.response.model", "gen_ai.request.model"] },
        measure: {
          kind: "tokens",
          type: {
            attr: ["gen_ai.token.type"],
            map: { input: "input", output: "output", cache: "cache" },
            default: "other",
          },
        },
      },
    },
  ],
};

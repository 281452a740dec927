import { CLAUDE_CODE } from "./claude-code.js";
import { CODEX } from "./codex.js";
import { COPILOT_CHAT } from "./copilot-chat.js";
import { COPILOT_CLI } from "./copilot-cli.js";
import { GEMINI_CLI } from "./gemini-cli.js";
import { GENAI } from "./genai.js";
import type { ToolTable } from "./types.js";

/** Every tool's table (spec/otlp-ingest.md "Mapping"); `GENAI` applies to every service. */
export const TOOL_TABLES: readonly ToolTable[] = [COPILOT_CHAT, COPILOT_CLI, CLAUDE_CODE, GEMINI_CLI, CODEX];
export { GENAI };

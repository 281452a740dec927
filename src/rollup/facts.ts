/**
 * Daily facts: per (day, user, feature, editor, model, dim) counters, folded from telemetry events at ingest.
 * `dim` is the language for completions, chat and agent edits ("" when the event named none), the repository for
 * pull-request summaries, the agent id for third-party agent sessions, and "" otherwise. Unused names (editor for
 * github.com chat, say) are "". One pass over a day's facts computes both the legacy day documents and the
 * usage-metrics user-day records (src/reports/record.ts).
 *
 * Counter meaning per feature:
 * - completion:  n1 suggestions, n2 acceptances (full and partial), n3 lines suggested, n4 lines accepted
 * - ide_chat:    n1 chats (IDE prompts), n2 insertion events, n3 copy events, n4 lines inserted or copied;
 *                `ide_chat` is unknown mode (every v1 row), `ide_chat.<mode>` a v1.1 mode (ask, inline, edit, …)
 * - chat_code:   n1 `chat.code_generated` events, n2 their lines; `chat_code` / `chat_code.<mode>` as above
 * - agent_edit:  n1 `agent.edit` events, n2 lines added, n3 lines deleted
 * - cli:         n1 `cli.session` events, n2 prompts, n3 requests (editor and dim "")
 * - cli_tokens:  n1 prompt tokens, n2 output tokens of CLI sessions
 * - agent_session: n1 sessions of the third-party agent `dim`, n2 prompts
 * - dotcom_chat: n1 chats (github.com prompts)
 * - pr:          n1 pull-request summaries (dim = repository)
 * - activity:    n1 other activity events, n2 of them marked engaged
 *
 * Features are kept as open strings: a row of a feature this version does not know still makes its user active.
 */
export type Feature = string;

export const FEATURES: readonly Feature[] = [
  "completion",
  "ide_chat",
  "chat_code",
  "agent_edit",
  "cli",
  "cli_tokens",
  "agent_session",
  "dotcom_chat",
  "pr",
  "activity",
];

/** The key of a fact, without its day and user. */
export interface FactKey {
  feature: Feature;
  editor: string;
  model: string;
  dim: string;
}

/** Counters added by one or more events. */
export interface FactCounts {
  n1: number;
  n2: number;
  n3: number;
  n4: number;
}

/** One stored fact row of a day. */
export interface FactRow extends FactKey, FactCounts {
  userId: number;
}

/** The chat mode of an `ide_chat…` / `chat_code…` feature: `unknown` for the bare name (v1 rows). */
export function chatModeOf(feature: string): string {
  const dot = feature.indexOf(".");
  return dot < 0 ? "unknown" : feature.slice(dot + 1);
}

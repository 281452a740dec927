/**
 * Daily facts: per (day, user, feature, editor, model, dim) counters, folded from telemetry events at ingest.
 * `dim` is the language for completions, the repository for pull-request summaries, and "" otherwise.
 * Unused names (editor for github.com chat, say) are "".
 *
 * Counter meaning per feature:
 * - completion:  n1 suggestions, n2 acceptances (full and partial), n3 lines suggested, n4 lines accepted
 * - ide_chat:    n1 chats (IDE prompts), n2 insertion events, n3 copy events
 * - dotcom_chat: n1 chats (github.com prompts)
 * - pr:          n1 pull-request summaries (dim = repository)
 * - activity:    n1 other activity events, n2 of them marked engaged
 */
export type Feature = "completion" | "ide_chat" | "dotcom_chat" | "pr" | "activity";

export const FEATURES: readonly Feature[] = ["completion", "ide_chat", "dotcom_chat", "pr", "activity"];

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

import type { FactCounts, FactKey } from "../rollup/facts.js";
import type { ChatMode, TelemetryEvent } from "./event.js";

export type Fact = FactKey & FactCounts;

const fact = (
  feature: string,
  editor: string,
  model: string,
  dim: string,
  n1 = 0,
  n2 = 0,
  n3 = 0,
  n4 = 0,
): Fact => ({
  feature,
  editor,
  model,
  dim,
  n1,
  n2,
  n3,
  n4,
});

/** `base` for unknown mode (the name v1 rows have), `base.mode` otherwise. */
const withMode = (base: string, mode: ChatMode | undefined) =>
  mode === undefined ? base : `${base}.${mode}`;

/**
 * The facts one event adds to: their keys and counter increments (meanings in rollup/facts.ts). Every event
 * gives one fact except `cli.session`, whose five counters take two.
 */
export function foldFacts(e: TelemetryEvent): Fact[] {
  switch (e.type) {
    case "completion.suggested":
      return [fact("completion", e.editor, e.model, e.language, 1, 0, e.lines, 0)];
    case "completion.accepted":
      return [fact("completion", e.editor, e.model, e.language, 0, 1, 0, e.lines)];
    case "chat.prompted":
      return e.surface === "ide"
        ? [fact(withMode("ide_chat", e.mode), e.editor, e.model, e.language ?? "", 1)]
        : [fact("dotcom_chat", "", e.model, "", 1)];
    case "chat.inserted":
      return [fact(withMode("ide_chat", e.mode), e.editor, e.model, e.language ?? "", 0, 1, 0, e.lines ?? 0)];
    case "chat.copied":
      return [fact(withMode("ide_chat", e.mode), e.editor, e.model, e.language ?? "", 0, 0, 1, e.lines ?? 0)];
    case "chat.code_generated":
      return [fact(withMode("chat_code", e.mode), e.editor, e.model, e.language ?? "", 1, e.lines)];
    case "agent.edit":
      return [
        fact(
          "agent_edit",
          e.editor,
          e.model,
          e.language ?? "",
          e.countsOnly ? 0 : 1,
          e.linesAdded,
          e.linesDeleted,
        ),
      ];
    case "cli.session":
      return [
        fact("cli", "", "", "", e.countsOnly ? 0 : 1, e.prompts, e.requests),
        fact("cli_tokens", "", "", "", e.promptTokens, e.outputTokens),
      ];
    case "agent.session":
      return [fact("agent_session", "", "", e.agentId, e.countsOnly ? 0 : 1, e.prompts)];
    case "pull_request.summarized":
      return [fact("pr", "", e.model, e.repository, 1)];
    case "activity":
      return [fact("activity", "", "", "", 1, e.engaged ? 1 : 0)];
  }
}

/** The first fact of `foldFacts` (the only one for every type but `cli.session`). */
export function foldEvent(e: TelemetryEvent): Fact {
  return foldFacts(e)[0]!;
}

/** Counter-wise sum. */
export function addCounts(a: FactCounts, b: FactCounts): FactCounts {
  return { n1: a.n1 + b.n1, n2: a.n2 + b.n2, n3: a.n3 + b.n3, n4: a.n4 + b.n4 };
}

/** A stable string for a fact key ("\u0000" cannot occur in names, so keys never collide). */
export function factKeyString(k: FactKey): string {
  return `${k.feature}\u0000${k.editor}\u0000${k.model}\u0000${k.dim}`;
}

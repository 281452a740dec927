/** The validated shape of one telemetry event (spec/telemetry-events.md, v1.1). */

export const EVENT_TYPES = [
  "completion.suggested",
  "completion.accepted",
  "chat.prompted",
  "chat.inserted",
  "chat.copied",
  "pull_request.summarized",
  "activity",
  // v1.1
  "chat.code_generated",
  "agent.edit",
  "cli.session",
  "agent.session",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** v1.1 chat modes; an absent `mode` means unknown (a v1 client). */
export const CHAT_MODES = ["ask", "edit", "agent", "plan", "custom", "inline"] as const;
export type ChatMode = (typeof CHAT_MODES)[number];

interface Common {
  id: string;
  /** The UTC day of `timestamp`, `YYYY-MM-DD`. */
  day: string;
  /** The event's instant, normalised to ISO 8601 UTC. */
  at: string;
  /** The login named in the event, or null when absent (then the token's user). */
  user: string | null;
}

/** v1.1 version fields of IDE events (absent: not sent), for the reports' `last_known_*_version`. */
export interface IdeVersions {
  editorVersion?: string;
  plugin?: string;
  pluginVersion?: string;
}

/** v1.1 fields of IDE chat events: absent when a v1 sender left them out. */
export interface ChatDetail {
  mode?: ChatMode;
  language?: string;
}

export type TelemetryEvent = Common &
  (
    | ({
        type: "completion.suggested";
        editor: string;
        language: string;
        model: string;
        lines: number;
      } & IdeVersions)
    | ({
        type: "completion.accepted";
        editor: string;
        language: string;
        model: string;
        lines: number;
        partial: boolean;
      } & IdeVersions)
    | ({ type: "chat.prompted"; surface: "ide"; editor: string; model: string } & ChatDetail & IdeVersions)
    | { type: "chat.prompted"; surface: "dotcom"; editor: string | null; model: string }
    | ({ type: "chat.inserted"; editor: string; model: string; lines?: number } & ChatDetail & IdeVersions)
    | ({ type: "chat.copied"; editor: string; model: string; lines?: number } & ChatDetail & IdeVersions)
    | { type: "pull_request.summarized"; repository: string; model: string }
    | { type: "activity"; engaged: boolean; feature: string | null }
    | ({
        type: "chat.code_generated";
        editor: string;
        model: string;
        lines: number;
      } & ChatDetail &
        IdeVersions)
    | ({
        type: "agent.edit";
        editor: string;
        model: string;
        language?: string;
        linesAdded: number;
        linesDeleted: number;
        /** Internal, never on the wire: see `countsOnly` of `cli.session`; here lines of edits counted elsewhere. */
        countsOnly?: true;
      } & IdeVersions)
    | {
        type: "cli.session";
        model: string;
        prompts: number;
        requests: number;
        promptTokens: number;
        outputTokens: number;
        cliVersion?: string;
        /**
         * Internal, never on the wire (the OTLP receiver sets it): a piece of a session, edit or agent session that
         * another event counts, so it adds its counters (prompts, requests, tokens, lines) but is not one more
         * session or edit itself. OTLP sends a session's requests, prompts and lines as separate signals; the
         * session is one event of its own.
         */
        countsOnly?: true;
      }
    | {
        type: "agent.session";
        agentId: string;
        agentName: string;
        prompts: number;
        /** Internal, never on the wire: see `countsOnly` of `cli.session`; here prompts of a session counted elsewhere. */
        countsOnly?: true;
      }
  );

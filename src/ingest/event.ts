/** The validated shape of one telemetry event (spec/telemetry-events.md). */

export const EVENT_TYPES = [
  "completion.suggested",
  "completion.accepted",
  "chat.prompted",
  "chat.inserted",
  "chat.copied",
  "pull_request.summarized",
  "activity",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

interface Common {
  id: string;
  /** The UTC day of `timestamp`, `YYYY-MM-DD`. */
  day: string;
  /** The event's instant, normalised to ISO 8601 UTC. */
  at: string;
  /** The login named in the event, or null when absent (then the token's user). */
  user: string | null;
}

export type TelemetryEvent = Common &
  (
    | { type: "completion.suggested"; editor: string; language: string; model: string; lines: number }
    | {
        type: "completion.accepted";
        editor: string;
        language: string;
        model: string;
        lines: number;
        partial: boolean;
      }
    | { type: "chat.prompted"; surface: "ide"; editor: string; model: string }
    | { type: "chat.prompted"; surface: "dotcom"; editor: string | null; model: string }
    | { type: "chat.inserted"; editor: string; model: string }
    | { type: "chat.copied"; editor: string; model: string }
    | { type: "pull_request.summarized"; repository: string; model: string }
    | { type: "activity"; engaged: boolean; feature: string | null }
  );

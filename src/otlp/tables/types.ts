import type { NativeEventType } from "../native.js";

/**
 * A mapping table: how one tool's OpenTelemetry signals become native events and usage (spec/otlp-ingest.md
 * "Mapping"). Tables are data: names change between tool versions, and a change is an edit of a table, not of
 * code paths.
 */
export interface ToolTable {
  /** Stable key of the tool, kept with usage rows (`copilot-chat`, `claude-code`…). */
  tool: string;
  /** The `service.name` values of the tool's resources. */
  services: readonly string[];
  /** False when the tool also reports its tokens in its own metric, so `gen_ai.client.token.usage` would count twice. */
  genericTokens: boolean;
  rules: readonly Rule[];
}

/** Where a signal's name is found: a metric's name, a log record's event name, a span's name, a span event's name. */
export type SignalKind = "metric" | "log" | "span" | "span_event";

/** A value taken from the item. */
export type Field =
  /** The first of these attributes present (the item's own attributes first, then the resource's). */
  | { attr: readonly string[]; map?: Readonly<Record<string, string>>; default?: string | number }
  | { const: string | number | boolean }
  /** A metric point's increase (one for a log record or span). */
  | { value: true }
  /** The resource's `service.name`. */
  | { service: true };

export interface Rule {
  signal: SignalKind;
  /** The signal's exact name. */
  name: string;
  /** Every key must hold one of the values (item attributes first, then resource attributes). */
  when?: Readonly<Record<string, readonly string[]>>;
  /** Spans only: count only spans without a parent (a subagent's `invoke_agent` is a child). */
  rootOnly?: boolean;
  /** The native event the signal becomes. */
  emit?: {
    type: NativeEventType;
    /**
     * Metrics: "unit" makes one event per unit of the increase (a count of actions); "point" one event with the
     * increase in the fields that ask for `{ value: true }` (a count of lines). Logs and spans: one event each.
     */
    per: "unit" | "point";
    fields: Readonly<Record<string, Field>>;
    /**
     * `cli.session` only: what names the session the item belongs to. Each item is then a piece of its session
     * (its prompts, requests and tokens, no session of its own), and the session is counted once per value,
     * user and UTC day (spec/otlp-ingest.md: one CLI session per `session.id`), however many exports, retries
     * or restarts carry its pieces. Items without the attribute belong to their resource (one exporter
     * process, which is one CLI session).
     */
    session?: Field;
    /**
     * `agent.edit`, `agent.session`: the item carries counters of edits or sessions that another rule counts
     * (a lines counter beside an accepted-edit counter, prompt logs beside a session counter), so its event adds
     * its lines or prompts and is not one more edit or session: otherwise every export interval, or every
     * prompt, would count one more.
     */
    countsOnly?: true;
  };
  /** Tokens, cost or lines kept per user, day, tool and model. */
  usage?: {
    model: Field;
    /** `tokens`: which counter by the token type attribute; `cost`: USD; `lines`: added/deleted. */
    measure:
      | { kind: "tokens"; type: Field }
      | { kind: "cost" }
      | { kind: "lines"; added: Field; deleted: Field };
  };
}

/** The token counters of the usage table, which `tokens` rules map a tool's token types onto. */
export type TokenColumn = "input" | "output" | "cache" | "other";

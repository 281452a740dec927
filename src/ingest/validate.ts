/**
 * The ingest hot path's validator, hand-written on purpose (issue 13: "keep it only with a benchmark that shows
 * it"). The contract is written once as a TypeBox schema (event-schema.ts); event-schema.test.ts holds this code to
 * accepting exactly what that schema accepts. `bench/validate.ts` (BENCHMARKS.md "Event validation"; 2026-12-02,
 * 137,635 simulated events, 1 in 20 broken, load average 7–9 on 2 cores, three runs) measured, against this code's
 * events/s: the schema compiled by pilotlogAjv (allErrors) 0.39–0.47, with allErrors off 0.84–0.99, as a `oneOf`
 * with ajv's discriminator 1.20–1.29 for the yes/no alone, but 0.55–0.67 once the accepted event is normalised and
 * the clock rules applied, which a switch must still do (and then write this file's messages from ajv's errors).
 * So the checks stay here: one pass reads each field once, checks it and builds the normalised event.
 */
import { LOGIN_RE, NAME_RE, REPOSITORY_RE } from "../schemas/common.js";
import { parseRfc3339 } from "../util/time.js";
import { CHAT_MODES, type ChatMode, EVENT_TYPES, type EventType, type TelemetryEvent } from "./event.js";

export type Validation = { ok: true; event: TelemetryEvent } | { ok: false; message: string; id?: string };

// The shared rules (src/schemas/common.ts), tested directly (see the top of this file for why).
const NAME = NAME_RE;
const LOGIN = LOGIN_RE;
const REPOSITORY = REPOSITORY_RE;
const FUTURE_MS = 5 * 60_000;
const TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);
const MODES: ReadonlySet<string> = new Set(CHAT_MODES);
/** Text without control characters (versions, agent ids and names are shown in reports as sent). */
function printable(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

/** Thrown inside validation only, caught once per event: keeps each check a single line. */
class Invalid extends Error {}

/**
 * The largest `lines` of one event. Unbounded, 1,025 events of 2^53 lines overflowed a day's 64-bit counter (a
 * 500); at this bound it takes 9 × 10^12 events.
 */
export const MAX_LINES = 1_000_000;

/**
 * What was sent, for a message: short (a long string is cut, a list or an object is named, not printed) and
 * never recursive, so a value nested 100,000 levels deep cannot overflow the stack.
 */
function show(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "string")
    return v.length > 80 ? `${JSON.stringify(v.slice(0, 80))}… (${v.length} characters)` : JSON.stringify(v);
  if (Array.isArray(v)) return v.length === 0 ? "an empty array" : "an array";
  if (typeof v === "object" && v !== null) return "an object";
  return String(v);
}

function name(o: Record<string, unknown>, field: string, required: boolean): string | null {
  const v = o[field];
  if (v === undefined || v === null) {
    if (required) throw new Invalid(`"${field}" is required for this event type`);
    return null;
  }
  if (typeof v !== "string" || !NAME.test(v)) {
    throw new Invalid(`"${field}" must be 1–64 letters, digits or ._+#- (no spaces), got ${show(v)}`);
  }
  return v;
}

function lines(o: Record<string, unknown>): number {
  const v = o.lines;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0 || v > MAX_LINES)
    throw new Invalid(`"lines" must be an integer ≥ 0 and at most ${MAX_LINES}, got ${show(v)}`);
  return v;
}

/** The largest token count of one CLI session (keeps a day's sums exact as JavaScript numbers). */
export const MAX_TOKENS = 1_000_000_000;

/** An optional count (v1.1 fields): absent is 0. */
function count(o: Record<string, unknown>, field: string, max: number = MAX_LINES): number {
  const v = o[field];
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0 || v > max)
    throw new Invalid(`"${field}" must be an integer ≥ 0 and at most ${max}, got ${show(v)}`);
  return v;
}

/** A string of `min`–`max` characters without control characters; undefined when absent and optional. */
function text(o: Record<string, unknown>, field: string, max: number, required: boolean): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) {
    if (required) throw new Invalid(`"${field}" is required for this event type`);
    return undefined;
  }
  if (typeof v !== "string" || v.length < 1 || v.length > max || !printable(v))
    throw new Invalid(
      `"${field}" must be a string of 1–${max} characters without control characters, got ${show(v)}`,
    );
  return v;
}

function mode(o: Record<string, unknown>): ChatMode | undefined {
  const v = o.mode;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || !MODES.has(v))
    throw new Invalid(
      `"mode" must be one of ${CHAT_MODES.join(", ")} (or absent when unknown), got ${show(v)}`,
    );
  return v as ChatMode;
}

/** An optional name field (v1.1 `language` on chat events): undefined when absent. */
const optName = (o: Record<string, unknown>, field: string): string | undefined =>
  name(o, field, false) ?? undefined;

function bool(o: Record<string, unknown>, field: string): boolean {
  const v = o[field];
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") throw new Invalid(`"${field}" must be true or false, got ${show(v)}`);
  return v;
}

/**
 * Validates one event against the contract (spec/telemetry-events.md). Ownership (whose event it is) is the
 * route's business. Messages name the field, what was sent and what is expected.
 */
export function validateEvent(value: unknown, ctx: { now: Date; earliestDay: string }): Validation {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      ok: false,
      message: `an event must be a JSON object, got ${Array.isArray(value) ? "an array" : show(value)}`,
    };
  }
  const o = value as Record<string, unknown>;
  const id = typeof o.id === "string" && o.id.length >= 1 && o.id.length <= 128 ? o.id : undefined;
  try {
    if (id === undefined)
      throw new Invalid(
        `"id" must be a string of 1–128 characters (a UUID or ULID the client reuses on retry), got ${show(o.id)}`,
      );
    if (typeof o.type !== "string" || !TYPES.has(o.type)) {
      throw new Invalid(`unknown event type ${show(o.type)}; expected one of ${EVENT_TYPES.join(", ")}`);
    }
    const type = o.type as EventType;
    if (typeof o.timestamp !== "string")
      throw new Invalid(
        `"timestamp" must be an RFC 3339 string such as 2026-11-22T09:15:02Z, got ${show(o.timestamp)}`,
      );
    const at = parseRfc3339(o.timestamp);
    if (!at)
      throw new Invalid(
        `"timestamp" must be RFC 3339 such as 2026-11-22T09:15:02Z, got ${show(o.timestamp)}`,
      );
    if (at.getTime() > ctx.now.getTime() + FUTURE_MS) {
      throw new Invalid(
        `"timestamp" ${o.timestamp} is more than 5 minutes in the future (server time ${ctx.now.toISOString()}): check the client's clock`,
      );
    }
    const iso = at.toISOString();
    const day = iso.slice(0, 10);
    if (day < ctx.earliestDay) {
      throw new Invalid(
        `"timestamp" ${o.timestamp} is older than the retention window: the oldest day accepted is ${ctx.earliestDay}`,
      );
    }
    let user: string | null = null;
    if (o.user !== undefined && o.user !== null) {
      if (typeof o.user !== "string" || !LOGIN.test(o.user))
        throw new Invalid(`"user" must be a login (1–39 letters, digits or "-"), got ${show(o.user)}`);
      user = o.user;
    }
    const model = name(o, "model", false) ?? "default";
    // Literal objects, not `{ ...common }`: the spread cost 2.8 µs per event, six times the JSON parse.
    switch (type) {
      case "completion.suggested":
      case "completion.accepted":
        // One literal for both; `partial` is read on an acceptance only (undefined on a suggestion).
        return {
          ok: true,
          event: {
            id,
            day,
            at: iso,
            user,
            type,
            editor: name(o, "editor", true)!,
            language: name(o, "language", true)!,
            model,
            lines: lines(o),
            partial: type === "completion.accepted" ? bool(o, "partial") : undefined,
            editorVersion: text(o, "editor_version", 64, false),
            plugin: text(o, "plugin", 64, false),
            pluginVersion: text(o, "plugin_version", 64, false),
          } as TelemetryEvent,
        };
      case "chat.prompted": {
        if (o.surface === "ide")
          return {
            ok: true,
            event: {
              id,
              day,
              at: iso,
              user,
              type,
              surface: "ide",
              editor: name(o, "editor", true)!,
              model,
              mode: mode(o),
              language: optName(o, "language"),
              editorVersion: text(o, "editor_version", 64, false),
              plugin: text(o, "plugin", 64, false),
              pluginVersion: text(o, "plugin_version", 64, false),
            },
          };
        if (o.surface === "dotcom")
          return {
            ok: true,
            event: {
              id,
              day,
              at: iso,
              user,
              type,
              surface: "dotcom",
              editor: name(o, "editor", false),
              model,
            },
          };
        throw new Invalid(`"surface" must be "ide" or "dotcom", got ${show(o.surface)}`);
      }
      case "chat.inserted":
      case "chat.copied":
      case "chat.code_generated":
        // One literal for the three (the same fields); `lines` is optional on an insert or copy, 0 when absent on a
        // code block. The cast: TypeScript cannot tie `lines` to `type` across a union of three.
        return {
          ok: true,
          event: {
            id,
            day,
            at: iso,
            user,
            type,
            editor: name(o, "editor", true)!,
            model,
            mode: mode(o),
            language: optName(o, "language"),
            lines:
              type === "chat.code_generated"
                ? count(o, "lines")
                : o.lines === undefined || o.lines === null
                  ? undefined
                  : lines(o),
            editorVersion: text(o, "editor_version", 64, false),
            plugin: text(o, "plugin", 64, false),
            pluginVersion: text(o, "plugin_version", 64, false),
          } as TelemetryEvent,
        };
      case "pull_request.summarized": {
        if (typeof o.repository !== "string" || !REPOSITORY.test(o.repository)) {
          throw new Invalid(
            `"repository" must be owner/name such as octo-org/api (the name is letters, digits and ._-, not "." or ".."), got ${show(o.repository)}`,
          );
        }
        return { ok: true, event: { id, day, at: iso, user, type, repository: o.repository, model } };
      }
      case "activity": {
        const f = o.feature;
        if (f !== undefined && f !== null && (typeof f !== "string" || f.length < 1 || f.length > 64)) {
          throw new Invalid(`"feature" must be a string of 1–64 characters, got ${show(f)}`);
        }
        return {
          ok: true,
          event: {
            id,
            day,
            at: iso,
            user,
            type,
            engaged: bool(o, "engaged"),
            feature: (f as string | undefined) ?? null,
          },
        };
      }
      case "agent.edit":
        return {
          ok: true,
          event: {
            id,
            day,
            at: iso,
            user,
            type,
            editor: name(o, "editor", true)!,
            model,
            language: optName(o, "language"),
            linesAdded: count(o, "lines_added"),
            linesDeleted: count(o, "lines_deleted"),
            editorVersion: text(o, "editor_version", 64, false),
            plugin: text(o, "plugin", 64, false),
            pluginVersion: text(o, "plugin_version", 64, false),
          },
        };
      case "cli.session":
        return {
          ok: true,
          event: {
            id,
            day,
            at: iso,
            user,
            type,
            model,
            prompts: count(o, "prompts"),
            requests: count(o, "requests"),
            promptTokens: count(o, "prompt_tokens", MAX_TOKENS),
            outputTokens: count(o, "output_tokens", MAX_TOKENS),
            cliVersion: text(o, "cli_version", 64, false),
          },
        };
      case "agent.session":
        return {
          ok: true,
          event: {
            id,
            day,
            at: iso,
            user,
            type,
            agentId: text(o, "agent_id", 64, true)!,
            agentName: text(o, "agent_name", 128, true)!,
            prompts: count(o, "prompts"),
          },
        };
    }
  } catch (err) {
    if (err instanceof Invalid)
      return id === undefined ? { ok: false, message: err.message } : { ok: false, message: err.message, id };
    throw err;
  }
}

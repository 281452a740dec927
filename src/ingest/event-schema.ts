/**
 * The telemetry event contract (spec/telemetry-events.md, v1 and v1.1) as one TypeBox schema: a union over the
 * event types, each with its required and optional fields, built from the shared rules of src/schemas/. It is
 * the written-once statement of what an event may be on the wire; `validate.ts` is checked against it
 * (event-schema.test.ts: the hand validator accepts exactly what this schema accepts) and keeps its own code for
 * speed (see the figures at its top and in BENCHMARKS.md).
 *
 * What a schema cannot say stays in code: a timestamp more than 5 minutes in the future or older than the
 * retention window depends on the server's clock, and ownership (whose event it is) is the route's business.
 * Unknown extra fields are ignored (the contract says so), so no object forbids additional properties. An
 * optional field may be `null`, which means absent, as the hand validator has always read it.
 */
import { type Static, type TSchema, Type } from "typebox";
import { LOGIN_PATTERN, NAME_PATTERN, REPOSITORY_PATTERN, Timestamp } from "../schemas/common.js";
import { CHAT_MODES, type EVENT_TYPES } from "./event.js";
import { MAX_LINES, MAX_TOKENS } from "./validate.js";

/** An optional field's value: the schema, or null (absent). One type list, so ajv reports one error. */
function orNull<T extends TSchema>(schema: T) {
  const s = schema as unknown as Record<string, unknown>;
  const type = s.type as string;
  const nullable: Record<string, unknown> = { ...s, type: [type, "null"] };
  if (Array.isArray(s.enum)) nullable.enum = [...s.enum, null];
  return Type.Optional(Type.Unsafe<Static<T> | null>(nullable));
}

/**
 * 1–`max` UTF-16 units of anything. A pattern, not minLength/maxLength: ajv counts those in code points, the hand
 * validator and the database in UTF-16 units (pilotlogAjv's regular expressions have no `u` flag).
 */
const Chars = (max: number) => Type.String({ pattern: `^[\\s\\S]{1,${max}}$` });
/** The client's id of an event, reused on retry. */
const Id = Chars(128);
const Name = Type.String({ pattern: NAME_PATTERN });
const Login = Type.String({ pattern: LOGIN_PATTERN });
const Repository = Type.String({ pattern: REPOSITORY_PATTERN });
/** Text shown in reports as sent: 1–`max` UTF-16 units, no control characters. */
const Text = (max: number) => Type.String({ pattern: `^[^\\u0000-\\u001f\\u007f]{1,${max}}$` });
const Lines = Type.Integer({ minimum: 0, maximum: MAX_LINES });
const Tokens = Type.Integer({ minimum: 0, maximum: MAX_TOKENS });
const Mode = Type.Unsafe<(typeof CHAT_MODES)[number]>({ type: "string", enum: [...CHAT_MODES] });
/** `activity.feature`: any 1–64 characters (it is never shown as a key). */
const Feature = Chars(64);

/** The fields every event has. */
const common = <K extends (typeof EVENT_TYPES)[number]>(type: K) => ({
  id: Id,
  type: Type.Literal(type),
  timestamp: Timestamp,
  user: orNull(Login),
  model: orNull(Name),
});

/** v1.1 version fields of IDE events. */
const ideVersions = {
  editor_version: orNull(Text(64)),
  plugin: orNull(Text(64)),
  plugin_version: orNull(Text(64)),
};

/** v1.1 fields of IDE chat events. */
const chatDetail = { mode: orNull(Mode), language: orNull(Name) };

export const CompletionSuggested = Type.Object({
  ...common("completion.suggested"),
  editor: Name,
  language: Name,
  lines: Lines,
  ...ideVersions,
});

export const CompletionAccepted = Type.Object({
  ...common("completion.accepted"),
  editor: Name,
  language: Name,
  lines: Lines,
  partial: orNull(Type.Boolean()),
  ...ideVersions,
});

export const ChatPromptedIde = Type.Object({
  ...common("chat.prompted"),
  surface: Type.Literal("ide"),
  editor: Name,
  ...chatDetail,
  ...ideVersions,
});

/** A prompt on github.com: no IDE, so mode, language and versions are not read (ignored, as any extra field). */
export const ChatPromptedDotcom = Type.Object({
  ...common("chat.prompted"),
  surface: Type.Literal("dotcom"),
  editor: orNull(Name),
});

const chatCode = <K extends "chat.inserted" | "chat.copied">(type: K) =>
  Type.Object({ ...common(type), editor: Name, ...chatDetail, lines: orNull(Lines), ...ideVersions });
export const ChatInserted = chatCode("chat.inserted");
export const ChatCopied = chatCode("chat.copied");

export const PullRequestSummarized = Type.Object({
  ...common("pull_request.summarized"),
  repository: Repository,
});

export const Activity = Type.Object({
  ...common("activity"),
  engaged: orNull(Type.Boolean()),
  feature: orNull(Feature),
});

export const ChatCodeGenerated = Type.Object({
  ...common("chat.code_generated"),
  editor: Name,
  ...chatDetail,
  lines: orNull(Lines),
  ...ideVersions,
});

export const AgentEdit = Type.Object({
  ...common("agent.edit"),
  editor: Name,
  language: orNull(Name),
  lines_added: orNull(Lines),
  lines_deleted: orNull(Lines),
  ...ideVersions,
});

export const CliSession = Type.Object({
  ...common("cli.session"),
  prompts: orNull(Lines),
  requests: orNull(Lines),
  prompt_tokens: orNull(Tokens),
  output_tokens: orNull(Tokens),
  cli_version: orNull(Text(64)),
});

export const AgentSession = Type.Object({
  ...common("agent.session"),
  agent_id: Text(64),
  agent_name: Text(128),
  prompts: orNull(Lines),
});

/** One event as a client sends it (before normalisation to `TelemetryEvent`). */
export const EventSchema = Type.Union([
  CompletionSuggested,
  CompletionAccepted,
  ChatPromptedIde,
  ChatPromptedDotcom,
  ChatInserted,
  ChatCopied,
  PullRequestSummarized,
  Activity,
  ChatCodeGenerated,
  AgentEdit,
  CliSession,
  AgentSession,
]);

/** The wire shape of one event (snake_case, `timestamp` as sent); `TelemetryEvent` is its normalised form. */
export type EventInput = Static<typeof EventSchema>;

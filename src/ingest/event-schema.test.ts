/**
 * The event schema and the hand validator say the same thing: for a table of good and bad events (every type,
 * every required field missing, wrong types, bad formats, unknown types, v1.1 fields) and for generated events,
 * `validateEvent` accepts exactly what the compiled schema accepts. The clock rules (future, retention) are
 * outside the schema, so the hand validator runs with a clock that accepts every storable instant.
 */
import fc from "fast-check";
import type { Static } from "typebox";
import { describe, expect, it } from "vitest";
import { mutatedEventArb, runs, validEventArb, wrongValue } from "../../test/helpers/fuzz.js";
import { compile } from "../schemas/ajv.js";
import type { TelemetryEvent } from "./event.js";
import { type EventInput, EventSchema } from "./event-schema.js";
import { validateEvent } from "./validate.js";

const schema = compile(EventSchema);
const schemaFirst = compile(EventSchema, { allErrors: false });
const anyTime = { now: new Date("9999-12-31T00:00:00Z"), earliestDay: "0000-01-01" };

/** Both verdicts, named, so a failure shows which side disagrees. */
function verdicts(e: unknown): { hand: boolean | string; schema: boolean; schemaFirst: boolean } {
  const r = validateEvent(e, anyTime);
  return { hand: r.ok || r.message, schema: schema(e), schemaFirst: schemaFirst(e) };
}
function agree(e: unknown, expected?: boolean): void {
  const v = verdicts(e);
  const what = JSON.stringify(e);
  expect(v.schema, what).toBe(v.schemaFirst);
  expect(v.hand === true, `${what}: hand ${String(v.hand)}, schema ${v.schema}`).toBe(v.schema);
  if (expected !== undefined) expect(v.schema, what).toBe(expected);
}

const at = { id: "e1", timestamp: "2026-11-22T09:15:02Z", user: "mona" };
/** One good event of each type, with its required fields only. */
const MINIMAL: Record<string, Record<string, unknown>> = {
  "completion.suggested": { type: "completion.suggested", editor: "vscode", language: "python", lines: 4 },
  "completion.accepted": { type: "completion.accepted", editor: "vscode", language: "python", lines: 3 },
  "chat.prompted ide": { type: "chat.prompted", surface: "ide", editor: "vscode" },
  "chat.prompted dotcom": { type: "chat.prompted", surface: "dotcom" },
  "chat.inserted": { type: "chat.inserted", editor: "vscode" },
  "chat.copied": { type: "chat.copied", editor: "vscode" },
  "pull_request.summarized": { type: "pull_request.summarized", repository: "octo-org/api" },
  activity: { type: "activity" },
  "chat.code_generated": { type: "chat.code_generated", editor: "vscode" },
  "agent.edit": { type: "agent.edit", editor: "vscode" },
  "cli.session": { type: "cli.session" },
  "agent.session": { type: "agent.session", agent_id: "claude-code", agent_name: "Claude Code" },
};
/** Every optional field of each type, set (v1.1 included). */
const ide = { editor_version: "1.99.0", plugin: "copilot-chat", plugin_version: "0.27.1", model: "gpt-4o" };
const FULL: Record<string, Record<string, unknown>> = {
  "completion.suggested": { ...MINIMAL["completion.suggested"], ...ide },
  "completion.accepted": { ...MINIMAL["completion.accepted"], partial: true, ...ide },
  "chat.prompted ide": { ...MINIMAL["chat.prompted ide"], mode: "agent", language: "go", ...ide },
  "chat.prompted dotcom": { ...MINIMAL["chat.prompted dotcom"], editor: "web", model: "gpt-4o" },
  "chat.inserted": { ...MINIMAL["chat.inserted"], mode: "ask", language: "go", lines: 7, ...ide },
  "chat.copied": { ...MINIMAL["chat.copied"], mode: "inline", language: "go", lines: 0, ...ide },
  "pull_request.summarized": { ...MINIMAL["pull_request.summarized"], model: "acme-pr-model" },
  activity: { ...MINIMAL.activity, engaged: true, feature: "code review ✓" },
  "chat.code_generated": {
    ...MINIMAL["chat.code_generated"],
    mode: "edit",
    language: "c++",
    lines: 12,
    ...ide,
  },
  "agent.edit": { ...MINIMAL["agent.edit"], language: "rust", lines_added: 5, lines_deleted: 2, ...ide },
  "cli.session": {
    type: "cli.session",
    prompts: 3,
    requests: 9,
    prompt_tokens: 1e9,
    output_tokens: 0,
    cli_version: "0.0.330",
  },
  "agent.session": { ...MINIMAL["agent.session"], prompts: 4, model: "claude-sonnet-4" },
};
const REQUIRED: Record<string, string[]> = {
  "completion.suggested": ["editor", "language", "lines"],
  "completion.accepted": ["editor", "language", "lines"],
  "chat.prompted ide": ["editor", "surface"],
  "chat.prompted dotcom": ["surface"],
  "chat.inserted": ["editor"],
  "chat.copied": ["editor"],
  "pull_request.summarized": ["repository"],
  activity: [],
  "chat.code_generated": ["editor"],
  "agent.edit": ["editor"],
  "cli.session": [],
  "agent.session": ["agent_id", "agent_name"],
};
const without = (o: Record<string, unknown>, k: string) =>
  Object.fromEntries(Object.entries(o).filter(([f]) => f !== k));
/** Wrong values: wrong types, out of range, bad formats, control characters, too long. */
const WRONG: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e21,
  Number.MAX_SAFE_INTEGER + 1,
  1_000_001,
  "",
  "a b",
  "tab\there",
  "x".repeat(65),
  "x".repeat(129),
  "😀".repeat(40),
  [],
  ["vscode"],
  {},
  "2026-02-30T00:00:00Z",
  "owner/..",
];

describe("the event schema and validateEvent agree", () => {
  for (const [name, fields] of Object.entries(FULL)) {
    it(`${name}: good with every field, with required fields only, with optional fields null`, () => {
      agree({ ...at, ...fields }, true);
      agree({ ...at, ...MINIMAL[name] }, true);
      const nulls = Object.fromEntries(
        Object.keys(fields)
          .filter((k) => !REQUIRED[name]!.includes(k) && k !== "type")
          .map((k) => [k, null]),
      );
      agree({ ...at, ...fields, ...nulls, user: null }, true);
      agree({ id: "e1", timestamp: at.timestamp, ...MINIMAL[name] }, true);
    });
    it(`${name}: each required field missing or null is refused`, () => {
      for (const k of ["id", "type", "timestamp", ...REQUIRED[name]!]) {
        agree(without({ ...at, ...fields }, k), false);
        agree({ ...at, ...fields, [k]: null }, false);
      }
    });
    it(`${name}: every field given each wrong value`, () => {
      for (const k of [...Object.keys(at), ...Object.keys(fields), "mode", "lines", "surface", "editor"]) {
        for (const v of WRONG) agree({ ...at, ...fields, [k]: v });
      }
    });
  }
  it("refuses what is no event: not an object, unknown types", () => {
    for (const v of [null, 1, "x", [], [{ ...at, ...FULL.activity }], true]) agree(v, false);
    for (const type of ["completion.show", "", "Activity", 7, null])
      agree({ ...at, ...FULL.activity, type }, false);
    agree({ ...at, type: "chat.prompted", surface: "web", editor: "vscode" }, false);
  });
  it("reads formats as the contract does: ids and texts in UTF-16 units, RFC 3339, logins, repositories", () => {
    agree({ ...at, ...FULL.activity, id: "x".repeat(128) }, true);
    agree({ ...at, ...FULL.activity, id: "😀".repeat(64) }, true);
    agree({ ...at, ...FULL.activity, id: "😀".repeat(65) }, false);
    agree({ ...at, ...FULL.activity, feature: "😀".repeat(32) }, true);
    agree({ ...at, ...FULL.activity, feature: "😀".repeat(33) }, false);
    agree({ ...at, ...FULL["agent.session"], agent_name: "é".repeat(128) }, true);
    agree({ ...at, ...FULL["agent.session"], agent_name: "\u007f" }, false);
    for (const timestamp of [
      "2026-11-22T23:59:60Z",
      "2026-11-22t09:15:02.123456789+05:30",
      "2026-11-22 09:15:02Z",
    ])
      agree({ ...at, ...FULL.activity, timestamp });
    for (const user of ["mona-lisa", "x".repeat(39), "x".repeat(40), "mona_lisa"])
      agree({ ...at, ...FULL.activity, user });
    for (const repository of ["o/.x", "o/.", "o/a..b", "o/a/b", "-/x", "o/"])
      agree({ ...at, ...FULL["pull_request.summarized"], repository });
    // A github.com prompt does not read IDE fields: a wrong mode there is an ignored extra field.
    agree({ ...at, ...FULL["chat.prompted dotcom"], mode: "bogus", language: 7 }, true);
  });
  it("agrees on generated events, good and broken", () => {
    const time = {
      users: ["mona", "hubot"],
      fromMs: Date.parse("2026-01-01"),
      toMs: Date.parse("2026-12-31"),
    };
    const good = validEventArb(time);
    fc.assert(
      fc.property(good, (e) => agree(e, true)),
      runs(300),
    );
    fc.assert(
      fc.property(mutatedEventArb(good), (e) => agree(e)),
      runs(1000),
    );
    const type = fc.constantFrom(...Object.values(MINIMAL).map((m) => m.type));
    const field = fc.constantFrom(...new Set(Object.values(FULL).flatMap((f) => Object.keys(f))));
    fc.assert(
      fc.property(type, fc.dictionary(field, wrongValue, { maxKeys: 6 }), (t, fields) =>
        agree({ ...at, ...fields, type: t }),
      ),
      runs(1000),
    );
  });
});

// Type-level: the wire type of each event type (Static of the schema) names the fields of its validated shape,
// snake_case → camelCase, besides `timestamp` (which becomes `day` and `at`), the internal `countsOnly`, and
// `model` of activity and agent sessions (checked, as on every event, but not counted by anything).
type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type Wire<T> = Extract<EventInput, { type: T }>;
type Hand<T> = Extract<TelemetryEvent, { type: T }>;
type Unkept<T> = T extends "activity" | "agent.session" ? "model" : never;
type WireKeys<T> = Exclude<Camel<keyof Wire<T> & string>, "timestamp" | Unkept<T>>;
type HandKeys<T> = Exclude<keyof Hand<T> & string, "day" | "at" | "countsOnly">;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type AllAgree = { [T in EventInput["type"]]: Same<WireKeys<T>, HandKeys<T>> };
const fieldsAgree: AllAgree = {
  "completion.suggested": true,
  "completion.accepted": true,
  "chat.prompted": true,
  "chat.inserted": true,
  "chat.copied": true,
  "pull_request.summarized": true,
  activity: true,
  "chat.code_generated": true,
  "agent.edit": true,
  "cli.session": true,
  "agent.session": true,
};
/** And every type of the contract has a branch in the schema, and no more. */
const typesAgree: Same<EventInput["type"], TelemetryEvent["type"]> = true;
const static_: Same<Static<typeof EventSchema>, EventInput> = true;

it("the wire and validated types name the same fields (checked by tsc)", () => {
  expect(Object.values(fieldsAgree).every(Boolean) && typesAgree && static_).toBe(true);
});

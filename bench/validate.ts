/**
 * Validation benchmark (issue 13): events/s through the hand-written `validateEvent` against the ajv-compiled
 * event schema (src/ingest/event-schema.ts) over the same events, in the same process, interleaved rounds: the
 * simulator's realistic mix (v1 and v1.1 types) with one event in 20 broken (a field removed or given a wrong
 * value), as a relay sends them. The ajv figures are a lower bound on what a switch would cost: they only
 * answer yes or no, while `validateEvent` also normalises the event, applies the clock rules and writes the
 * message.
 *
 *   node --import tsx bench/validate.ts [--quick]
 */
import { execSync } from "node:child_process";
import type { ValidateFunction } from "ajv";
import type { TelemetryEvent } from "../src/ingest/event.js";
import { EventSchema } from "../src/ingest/event-schema.js";
import { validateEvent } from "../src/ingest/validate.js";
import { compile } from "../src/schemas/ajv.js";
import { buildWorld, Rng, simulate } from "../src/simulate/index.js";
import { parseRfc3339 } from "../src/util/time.js";

const quick = process.argv.includes("--quick");
const TODAY = "2026-11-20";
const ctx = { now: new Date(`${TODAY}T12:00:00Z`), earliestDay: "2026-10-23" };
const ROUNDS = quick ? 3 : 7;

const world = buildWorld({ users: quick ? 100 : 500, seed: "bench-validate", today: TODAY });
const rng = new Rng("bench-validate-bad");
const WRONG: unknown[] = [null, 7, -1, 1.5, "", "a b", "x".repeat(200), [], {}, true, "2026-13-01T00:00:00Z"];
const FIELDS = ["id", "type", "timestamp", "user", "editor", "language", "model", "lines", "surface", "mode"];
const events: unknown[] = [];
for (const { events: day } of simulate(world)) {
  for (const e of day) {
    // The events as the server sees them: parsed from JSON, one in 20 broken.
    const o = JSON.parse(JSON.stringify(e)) as Record<string, unknown>;
    if (rng.next() < 0.05) {
      const f = FIELDS[Math.floor(rng.next() * FIELDS.length)]!;
      if (rng.next() < 0.3) delete o[f];
      else o[f] = WRONG[Math.floor(rng.next() * WRONG.length)];
    }
    events.push(o);
  }
}

const all = compile(EventSchema);
const first = compile(EventSchema, { allErrors: false });
/**
 * The same branches as a `oneOf` with ajv's `discriminator` on `type`: ajv then checks one branch instead of trying
 * each. The two `chat.prompted` branches (by `surface`) become one branch holding both.
 */
function discriminated(): Record<string, unknown> {
  const byType = new Map<string, Record<string, unknown>[]>();
  for (const b of EventSchema.anyOf as unknown as Record<string, unknown>[]) {
    const t = ((b.properties as Record<string, { const: string }>).type as { const: string }).const;
    byType.set(t, [...(byType.get(t) ?? []), b]);
  }
  const oneOf = [...byType.entries()].map(([t, bs]) =>
    bs.length === 1
      ? bs[0]
      : { type: "object", properties: { type: { const: t } }, required: ["type"], anyOf: bs },
  );
  return { type: "object", required: ["type"], discriminator: { propertyName: "type" }, oneOf };
}
const disc = compile(discriminated() as never, { allErrors: false, discriminator: true });

/** Events per second of one pass of `check` over every event; `sink` keeps the work from being optimised away. */
let sink = 0;
function rate(check: (e: unknown) => boolean): number {
  const started = performance.now();
  for (const e of events) if (check(e)) sink++;
  return events.length / ((performance.now() - started) / 1000);
}
const variants: Record<string, (e: unknown) => boolean> = {
  hand: (e) => validateEvent(e, ctx).ok,
  "ajv allErrors": (e) => (all as ValidateFunction)(e),
  "ajv first error": (e) => (first as ValidateFunction)(e),
  "ajv discriminator": (e) => (disc as ValidateFunction)(e),
};
/**
 * What a switched validateEvent does after the schema said yes: the clock rules and the normalised event, in
 * literal objects as validate.ts builds them (messages for the rejected are not counted here).
 */
type O = Record<string, unknown> & { id: string; timestamp: string };
const str = (v: unknown) => (v ?? undefined) as string | undefined;
const num = (v: unknown) => (v ?? 0) as number;
function normalise(o: O): TelemetryEvent | null {
  const t = parseRfc3339(o.timestamp)!;
  if (t.getTime() > ctx.now.getTime() + 300_000) return null;
  const at = t.toISOString();
  const day = at.slice(0, 10);
  if (day < ctx.earliestDay) return null;
  const id = o.id;
  const user = (o.user ?? null) as string | null;
  const model = (o.model ?? "default") as string;
  const editor = o.editor as string;
  const v = {
    editorVersion: str(o.editor_version),
    plugin: str(o.plugin),
    pluginVersion: str(o.plugin_version),
  };
  switch (o.type) {
    case "completion.suggested":
    case "completion.accepted":
      return {
        id,
        day,
        at,
        user,
        type: o.type,
        editor,
        language: o.language as string,
        model,
        lines: o.lines as number,
        partial: o.type === "completion.accepted" ? ((o.partial ?? false) as boolean) : undefined,
        editorVersion: v.editorVersion,
        plugin: v.plugin,
        pluginVersion: v.pluginVersion,
      } as TelemetryEvent;
    case "chat.prompted":
      return o.surface === "ide"
        ? {
            id,
            day,
            at,
            user,
            type: o.type,
            surface: "ide",
            editor,
            model,
            mode: str(o.mode) as never,
            language: str(o.language),
            editorVersion: v.editorVersion,
            plugin: v.plugin,
            pluginVersion: v.pluginVersion,
          }
        : {
            id,
            day,
            at,
            user,
            type: o.type,
            surface: "dotcom",
            editor: (o.editor ?? null) as string | null,
            model,
          };
    case "chat.inserted":
    case "chat.copied":
    case "agent.edit":
      return {
        id,
        day,
        at,
        user,
        type: o.type,
        editor,
        model,
        language: str(o.language),
        linesAdded: num(o.lines_added),
        linesDeleted: num(o.lines_deleted),
        editorVersion: v.editorVersion,
        plugin: v.plugin,
        pluginVersion: v.pluginVersion,
      };
    case "cli.session":
      return {
        id,
        day,
        at,
        user,
        type: o.type,
        model,
        prompts: num(o.prompts),
        requests: num(o.requests),
        promptTokens: num(o.prompt_tokens),
        outputTokens: num(o.output_tokens),
        cliVersion: str(o.cli_version),
      };
    default:
      return {
        id,
        day,
        at,
        user,
        type: "agent.session",
        agentId: o.agent_id as string,
        agentName: o.agent_name as string,
        prompts: num(o.prompts),
      };
  }
}
variants["ajv disc. + normalise"] = (e) => (disc as ValidateFunction)(e) && normalise(e as O) !== null;
const best: Record<string, number> = {};
for (let r = 0; r < ROUNDS + 1; r++) {
  for (const [k, f] of Object.entries(variants)) {
    const v = rate(f);
    if (r > 0) best[k] = Math.max(best[k] ?? 0, v); // round 0 warms the JIT
  }
}
const accepted = events.filter((e) => validateEvent(e, ctx).ok).length;
console.log(
  `[validate] ${events.length} events (${events.length - accepted} rejected), best of ${ROUNDS} rounds; ` +
    `load: ${execSync("uptime").toString().trim()}`,
);
for (const [k, v] of Object.entries(best)) {
  console.log(
    `[validate] ${k.padEnd(22)} ${Math.round(v).toLocaleString("en")} events/s, ratio to hand ${(v / best.hand!).toFixed(2)}`,
  );
}
if (sink < 0) console.log(sink);

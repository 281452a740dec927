/**
 * Shared pieces of the fuzz suites (test/fuzz/): fast-check settings, HTTP clients with a deadline (fetch for
 * well-formed requests, raw sockets for anything fetch refuses to send), the checks every answer must pass, and
 * generators of telemetry events with an oracle written from docs/telemetry-events.md alone.
 *
 * Knobs: FUZZ_SEED=<n> replays a failure (fast-check prints the seed and the path of every failure);
 * FUZZ_SCALE=<x> multiplies every property's number of runs (e.g. FUZZ_SCALE=20 for a long hunt).
 */
import { connect } from "node:net";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { expect, vi } from "vitest";
import { MAX_LINES } from "../../src/ingest/validate.js";
import { assertErrorBody } from "./schema.js";

export { MAX_LINES };

/**
 * Every answer must arrive within this; a request still waiting after it fails its test. A hang detector, not a
 * speed target (those are in bench/): generous, so a loaded machine does not fail it.
 */
export const ANSWER_TIMEOUT_MS = 30_000;

const SCALE = Number(process.env.FUZZ_SCALE ?? "1") || 1;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

// A longer hunt (FUZZ_SCALE > 1) gets proportionally longer test timeouts (60 s per test at scale 1).
if (SCALE > 1) vi.setConfig({ testTimeout: Math.round(60_000 * SCALE) });

/** fast-check parameters for a property meant to run `numRuns` cases (scaled by FUZZ_SCALE). */
export function runs(numRuns: number): { numRuns: number; seed?: number } {
  return { numRuns: Math.max(1, Math.round(numRuns * SCALE)), ...(SEED !== undefined ? { seed: SEED } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  text: string;
}

/** A request through fetch that must be answered within ANSWER_TIMEOUT_MS. */
export async function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  const what = `${init.method ?? "GET"} ${url.slice(0, 200)}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? "GET",
      headers: init.headers ?? {},
      ...(init.body !== undefined ? { body: init.body } : {}),
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
    const body = Buffer.from(await res.arrayBuffer());
    return {
      status: res.status,
      headers: Object.fromEntries(res.headers.entries()),
      body,
      text: body.toString("utf8"),
    };
  } catch (err) {
    if ((err as Error).name === "TimeoutError")
      throw new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms: ${what}`);
    throw err;
  }
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  text: string;
}

/** Parses every HTTP/1.1 answer in `buf` (several when requests were pipelined or a body overran). */
export function parseAnswers(buf: Buffer): RawAnswer[] {
  const out: RawAnswer[] = [];
  let at = 0;
  while (at < buf.length) {
    const end = buf.indexOf("\r\n\r\n", at);
    if (end < 0) throw new Error(`a truncated answer: ${buf.subarray(at, at + 300).toString("latin1")}`);
    const [statusLine = "", ...lines] = buf.subarray(at, end).toString("latin1").split("\r\n");
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!m) throw new Error(`not an HTTP answer: ${statusLine.slice(0, 200)}`);
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(":");
      if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    at = end + 4;
    let body: Buffer;
    if (headers["transfer-encoding"]?.toLowerCase() === "chunked") {
      const parts: Buffer[] = [];
      for (;;) {
        const eol = buf.indexOf("\r\n", at);
        const size = Number.parseInt(buf.subarray(at, eol).toString("latin1"), 16);
        at = eol + 2;
        if (!size) {
          at += 2;
          break;
        }
        parts.push(buf.subarray(at, at + size));
        at += size + 2;
      }
      body = Buffer.concat(parts);
    } else if (headers["content-length"] !== undefined) {
      const n = Number(headers["content-length"]);
      body = buf.subarray(at, at + n);
      at += n;
    } else {
      body = buf.subarray(at);
      at = buf.length;
    }
    out.push({ status: Number(m[1]), headers, body, text: body.toString("utf8") });
  }
  return out;
}

/**
 * Sends `bytes` as they are on a fresh connection and returns every answer once the server closes it (the
 * request should say `Connection: close`). `halfClose` ends our side right after writing, as a client that
 * gives up mid-body does. Fails if the server neither answers nor closes within ANSWER_TIMEOUT_MS.
 */
export function rawExchange(
  baseUrl: string,
  bytes: Buffer | string,
  opts: { halfClose?: boolean } = {},
): Promise<RawAnswer[]> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(u.port), u.hostname, () => {
      socket.write(bytes);
      if (opts.halfClose) socket.end();
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `no answer nor close within ${ANSWER_TIMEOUT_MS} ms for ${String(bytes).slice(0, 200)}; got ${Buffer.concat(chunks).toString("latin1").slice(0, 300)}`,
        ),
      );
    }, ANSWER_TIMEOUT_MS);
    socket.on("data", (d: Buffer) => chunks.push(d));
    const done = () => {
      clearTimeout(timer);
      try {
        resolve(parseAnswers(Buffer.concat(chunks)));
      } catch (err) {
        reject(err);
      }
    };
    socket.on("close", done);
    // A reset after the server answered and closed is normal when our side still had bytes in flight.
    socket.on("error", () => undefined);
  });
}

/** One raw request: the request line and headers are written as given (latin1, or the bytes of a Buffer). */
export function rawRequest(
  method: string,
  target: string | Buffer,
  headers: [string, string | Buffer][],
  body: Buffer = Buffer.alloc(0),
): Buffer {
  const parts: Buffer[] = [
    Buffer.from(`${method} `, "latin1"),
    Buffer.isBuffer(target) ? target : Buffer.from(target, "latin1"),
    Buffer.from(" HTTP/1.1\r\n", "latin1"),
  ];
  for (const [name, value] of headers) {
    parts.push(Buffer.from(`${name}: `, "latin1"));
    parts.push(Buffer.isBuffer(value) ? value : Buffer.from(value, "latin1"));
    parts.push(Buffer.from("\r\n", "latin1"));
  }
  parts.push(Buffer.from("\r\n", "latin1"), body);
  return Buffer.concat(parts);
}

/** Percent-encodes the UTF-8 bytes of `s` (a lone surrogate becomes U+FFFD, where encodeURIComponent throws). */
export function percentEncode(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// What every answer must be

/** GitHub's error body, with `status` matching the HTTP status. */
export function expectGitHubError(a: { status: number; text: string }, what = ""): Record<string, unknown> {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(a.text) as Record<string, unknown>;
  } catch {
    throw new Error(`${what}: a ${a.status} whose body is not JSON: ${a.text.slice(0, 300)}`);
  }
  try {
    assertErrorBody(body);
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}`);
  }
  // The schema requires no field: GitHub's answers always carry these two.
  expect(typeof body.message === "string" && body.message.length > 0, `${what}: message in ${a.text}`).toBe(
    true,
  );
  expect(typeof body.documentation_url, `${what}: documentation_url in ${a.text}`).toBe("string");
  expect(body.status, `${what}: the body's status`).toBe(String(a.status));
  return body;
}

/** Never a 5xx; an error answer has GitHub's body. */
export function expectSane(a: { status: number; text: string }, what: string): void {
  if (a.status >= 500) throw new Error(`${what}: answered ${a.status} ${a.text.slice(0, 300)}`);
  if (a.status >= 400) expectGitHubError(a, what);
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  dropped: number;
  rejected: { index: number; id?: string; message: string }[];
}

/** A 202 of the ingestion route: the four fields, and rejections in line order, each with a message. */
export function expectIngestResult(a: Answer, what: string): IngestResult {
  expect(a.status, `${what}: ${a.text.slice(0, 300)}`).toBe(202);
  const r = JSON.parse(a.text) as IngestResult;
  expect(Object.keys(r).sort(), what).toEqual(["accepted", "dropped", "duplicates", "rejected"]);
  for (const k of ["accepted", "duplicates", "dropped"] as const) {
    expect(Number.isSafeInteger(r[k]) && r[k] >= 0, `${what}: ${k} = ${r[k]}`).toBe(true);
  }
  expect(Array.isArray(r.rejected), what).toBe(true);
  let last = -1;
  for (const x of r.rejected) {
    expect(Number.isSafeInteger(x.index) && x.index > last, `${what}: rejected index ${x.index}`).toBe(true);
    last = x.index;
    expect(typeof x.message === "string" && x.message.length > 0, what).toBe(true);
    // A message a person can act on: it names the problem, it does not echo megabytes back.
    expect(x.message.length, `${what}: a ${x.message.length}-character message`).toBeLessThan(1000);
    if (x.id !== undefined) expect(typeof x.id, what).toBe("string");
  }
  return r;
}

// ---------------------------------------------------------------------------------------------------------------
// Telemetry events: generators and an oracle from docs/telemetry-events.md

export const EVENT_TYPES = [
  "completion.suggested",
  "completion.accepted",
  "chat.prompted",
  "chat.inserted",
  "chat.copied",
  "pull_request.summarized",
  "activity",
  "chat.code_generated",
  "agent.edit",
  "cli.session",
  "agent.session",
] as const;

/** Every field the contract names: extra fields must not be one of these. */
export const EVENT_FIELDS = [
  "id",
  "type",
  "timestamp",
  "user",
  "editor",
  "language",
  "model",
  "lines",
  "partial",
  "surface",
  "repository",
  "engaged",
  "feature",
  "mode",
  "lines_added",
  "lines_deleted",
  "prompts",
  "requests",
  "prompt_tokens",
  "output_tokens",
  "cli_version",
  "agent_id",
  "agent_name",
  "editor_version",
  "plugin",
  "plugin_version",
] as const;

/** No control characters (v1.1 texts: versions, agent ids and names). */
const printable = (v: string) => [...v].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f);

const NAME_RE = /^[A-Za-z0-9._+#-]{1,64}$/;
const LOGIN_RE = /^[A-Za-z0-9-]{1,39}$/;
const REPO_RE = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
/** GitHub's repository names: owner/name, where the name is never `.` or `..`. */
const isRepository = (s: string) => REPO_RE.test(s) && !/\/\.\.?$/.test(s);

export const nameArb = fc.stringMatching(NAME_RE);
export const repositoryArb = fc.stringMatching(REPO_RE).filter(isRepository);

/** Any string: unicode, control characters, lone surrogates, sometimes long. */
export const anyString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  fc.constantFrom("", " ", "\u0000", "a b", "é", "😀", "\ud800", "x".repeat(65), "x".repeat(129)),
  fc.integer({ min: 100, max: 5000 }).map((n) => "y".repeat(n)),
);

/** A deeply nested array or object, as a JSON text (JSON.stringify would overflow the stack on it). */
export function deepJson(depth: number, kind: "array" | "object"): string {
  return kind === "array"
    ? `${"[".repeat(depth)}${"]".repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** A JSON value that is not what a field wants, whatever it wants. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, -0.5, 1e21, Number.MAX_SAFE_INTEGER + 1, MAX_LINES + 1),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  anyString,
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom([], {}, [1], { id: "x" }, ["ide"], { lines: 1 }),
);

/**
 * An instant (epoch ms) and how to write it as RFC 3339 (offset, fraction of up to 20 digits, case), sometimes as
 * the leap second that ends its UTC day (23:59:60 in UTC, written in the chosen offset).
 */
export const timestampArb = (fromMs: number, toMs: number) =>
  fc
    .record({
      at: fc.integer({ min: fromMs, max: toMs }),
      offsetMin: fc.oneof(fc.constant(0), fc.integer({ min: -14 * 60, max: 14 * 60 })),
      fraction: fc.oneof(
        fc.constant(""),
        fc.stringMatching(/^\.[0-9]{1,9}$/),
        fc.stringMatching(/^\.[0-9]{10,20}$/),
      ),
      zulu: fc.constantFrom("Z", "z"),
      t: fc.constantFrom("T", "t"),
      leap: fc.oneof(
        { weight: 9, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
    })
    .map(({ at, offsetMin, fraction, zulu, t, leap }) => {
      const second = leap
        ? Math.floor(at / 86_400_000) * 86_400_000 + 86_399_000
        : Math.floor(at / 1000) * 1000;
      const local = new Date(second + offsetMin * 60_000).toISOString();
      const sign = offsetMin < 0 ? "-" : "+";
      const abs = Math.abs(offsetMin);
      const off =
        offsetMin === 0
          ? zulu
          : `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
      return `${local.slice(0, 10)}${t}${local.slice(11, 17)}${leap ? "60" : local.slice(17, 19)}${fraction}${off}`;
    });

/** A valid event of any type for one of `users` (or, sometimes, without user), at an instant in range. */
export function validEventArb(opts: {
  users: readonly string[];
  fromMs: number;
  toMs: number;
  withoutUser?: boolean;
}): fc.Arbitrary<Record<string, unknown>> {
  const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });
  const userArb = opts.withoutUser
    ? fc.constant(undefined)
    : fc.constantFrom(...opts.users).chain((u) => fc.constantFrom(u, u.toUpperCase()));
  const common = fc.record({
    id: fc.oneof(
      fc.uuid(),
      fc.string({ unit: "binary", minLength: 1, maxLength: 128 }).map((s) => `u-${s}`.slice(0, 128)),
    ),
    timestamp: timestampArb(opts.fromMs, opts.toMs),
    user: userArb,
    model: optional(fc.oneof(nameArb, fc.constant(null))),
  });
  const typed = fc.oneof(
    fc.record({
      type: fc.constant("completion.suggested"),
      editor: nameArb,
      language: nameArb,
      lines: fc.integer({ min: 0, max: MAX_LINES }),
    }),
    fc.record({
      type: fc.constant("completion.accepted"),
      editor: nameArb,
      language: nameArb,
      lines: fc.integer({ min: 0, max: MAX_LINES }),
      partial: optional(fc.oneof(fc.boolean(), fc.constant(null))),
    }),
    fc.record({ type: fc.constant("chat.prompted"), surface: fc.constant("ide"), editor: nameArb }),
    fc.record({
      type: fc.constant("chat.prompted"),
      surface: fc.constant("dotcom"),
      editor: optional(nameArb),
    }),
    fc.record({ type: fc.constantFrom("chat.inserted", "chat.copied"), editor: nameArb }),
    fc.record({ type: fc.constant("pull_request.summarized"), repository: repositoryArb }),
    // v1.1
    fc.record({
      type: fc.constantFrom("chat.prompted"),
      surface: fc.constant("ide"),
      editor: nameArb,
      mode: optional(fc.constantFrom("ask", "edit", "agent", "plan", "custom", "inline")),
      language: optional(nameArb),
      editor_version: optional(fc.string({ minLength: 1, maxLength: 64 }).filter(printable)),
    }),
    fc.record({
      type: fc.constantFrom("chat.inserted", "chat.copied", "chat.code_generated"),
      editor: nameArb,
      mode: optional(fc.constantFrom("ask", "edit", "agent", "plan", "custom", "inline")),
      language: optional(nameArb),
      lines: optional(fc.integer({ min: 0, max: MAX_LINES })),
    }),
    fc.record({
      type: fc.constant("agent.edit"),
      editor: nameArb,
      lines_added: optional(fc.integer({ min: 0, max: MAX_LINES })),
      lines_deleted: optional(fc.integer({ min: 0, max: MAX_LINES })),
      plugin: optional(nameArb),
      plugin_version: optional(nameArb),
    }),
    fc.record({
      type: fc.constant("cli.session"),
      prompts: optional(fc.integer({ min: 0, max: 1000 })),
      requests: optional(fc.integer({ min: 0, max: 1000 })),
      prompt_tokens: optional(fc.integer({ min: 0, max: 1_000_000_000 })),
      output_tokens: optional(fc.integer({ min: 0, max: 1_000_000_000 })),
      cli_version: optional(nameArb),
    }),
    fc.record({
      type: fc.constant("agent.session"),
      agent_id: fc.string({ minLength: 1, maxLength: 64 }).filter(printable),
      agent_name: fc.string({ minLength: 1, maxLength: 128 }).filter(printable),
      prompts: optional(fc.integer({ min: 0, max: 1000 })),
    }),
    fc.record({
      type: fc.constant("activity"),
      engaged: optional(fc.oneof(fc.boolean(), fc.constant(null))),
      feature: optional(
        fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 30 }), fc.constant(null)),
      ),
    }),
  );
  const extra = fc.dictionary(
    fc
      .string({ maxLength: 12 })
      .filter((k) => !(EVENT_FIELDS as readonly string[]).includes(k) && k !== "__proto__"),
    fc.jsonValue({ maxDepth: 2 }),
    { maxKeys: 2 },
  );
  return fc.tuple(common, typed, extra).map(([c, t, x]) => {
    const e: Record<string, unknown> = { ...x };
    for (const [k, v] of Object.entries({ ...c, ...t })) if (v !== undefined) e[k] = v;
    return e;
  });
}

/** A valid event with 1–3 of its fields replaced by wrong values or removed. */
export function mutatedEventArb(
  base: fc.Arbitrary<Record<string, unknown>>,
): fc.Arbitrary<Record<string, unknown>> {
  const mutation = fc.record({
    field: fc.constantFrom(...EVENT_FIELDS),
    value: fc.oneof(wrongValue, fc.constant(undefined)),
  });
  return fc.tuple(base, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([e, ms]) => {
    const out = { ...e };
    for (const { field, value } of ms) {
      if (value === undefined) delete out[field];
      else out[field] = value;
    }
    return out;
  });
}

/** True for a real calendar date (any year 0000–9999, proleptic Gregorian). */
export function realDate(y: number, m: number, d: number): boolean {
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1]!;
}

/**
 * The instant of an RFC 3339 timestamp (docs/telemetry-events.md), or null. The fraction may have any number of
 * digits; a leap second (second 60) is valid only where the UTC time is 23:59:60, and stands for the last
 * millisecond of that UTC day.
 */
export function rfc3339(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/.exec(
    s,
  );
  if (!m) return null;
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!realDate(y, mo, d) || h > 23 || mi > 59 || sec > 60) return null;
  if (m[10] !== undefined && (Number(m[10]) > 23 || Number(m[11]) > 59)) return null;
  const off = m[9] ? (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) : 0;
  const whole =
    Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${sec === 60 ? "59" : m[6]}Z`) - off * 60_000;
  if (sec !== 60) return whole;
  return new Date(whole).toISOString().slice(11, 19) === "23:59:59" ? whole + 999 : null;
}

/**
 * Whether the contract accepts `v` (an item of a request): null when it must be accepted (or dropped, or a
 * duplicate), else the field at fault. `owner` is the user of a user token; null for an ingest token.
 */
export function contractFault(
  v: unknown,
  ctx: { owner: string | null; nowMs: number; earliestDay: string },
): string | null {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "(not an object)";
  const o = v as Record<string, unknown>;
  const isName = (x: unknown) => typeof x === "string" && NAME_RE.test(x);
  const absent = (x: unknown) => x === undefined || x === null;
  const optionalName = (f: string) => absent(o[f]) || isName(o[f]);
  const bool = (f: string) => absent(o[f]) || typeof o[f] === "boolean";
  if (typeof o.id !== "string" || o.id.length < 1 || o.id.length > 128) return "id";
  if (typeof o.type !== "string" || !(EVENT_TYPES as readonly string[]).includes(o.type)) return "type";
  const at = typeof o.timestamp === "string" ? rfc3339(o.timestamp) : null;
  if (at === null || at > ctx.nowMs + 5 * 60_000) return "timestamp";
  if (new Date(at).toISOString().slice(0, 10) < ctx.earliestDay) return "timestamp";
  if (!absent(o.user) && !(typeof o.user === "string" && LOGIN_RE.test(o.user))) return "user";
  if (!optionalName("model")) return "model";
  const lines = () =>
    typeof o.lines === "number" && Number.isInteger(o.lines) && o.lines >= 0 && o.lines <= MAX_LINES;
  // v1.1: optional counts (absent is 0), texts without control characters, chat modes.
  const count = (f: string, max = MAX_LINES) =>
    absent(o[f]) ||
    (typeof o[f] === "number" && Number.isInteger(o[f]) && (o[f] as number) >= 0 && (o[f] as number) <= max);
  const text = (f: string, max: number) =>
    absent(o[f]) ||
    (typeof o[f] === "string" &&
      (o[f] as string).length >= 1 &&
      (o[f] as string).length <= max &&
      printable(o[f] as string));
  const MODES = ["ask", "edit", "agent", "plan", "custom", "inline"];
  const mode = () => absent(o.mode) || (typeof o.mode === "string" && MODES.includes(o.mode));
  const ideEvent = o.type !== "chat.prompted" || o.surface === "ide";
  const ideTypes = [
    "completion.suggested",
    "completion.accepted",
    "chat.prompted",
    "chat.inserted",
    "chat.copied",
    "chat.code_generated",
    "agent.edit",
  ];
  switch (o.type) {
    case "completion.suggested":
    case "completion.accepted":
      if (!isName(o.editor)) return "editor";
      if (!isName(o.language)) return "language";
      if (!lines()) return "lines";
      if (o.type === "completion.accepted" && !bool("partial")) return "partial";
      break;
    case "chat.prompted":
      if (o.surface === "ide" && !isName(o.editor)) return "editor";
      if (o.surface === "dotcom" && !optionalName("editor")) return "editor";
      if (o.surface !== "ide" && o.surface !== "dotcom") return "surface";
      if (o.surface === "ide" && !mode()) return "mode";
      if (o.surface === "ide" && !optionalName("language")) return "language";
      break;
    case "chat.inserted":
    case "chat.copied":
      if (!isName(o.editor)) return "editor";
      if (!mode()) return "mode";
      if (!optionalName("language")) return "language";
      if (!count("lines")) return "lines";
      break;
    case "chat.code_generated":
      if (!isName(o.editor)) return "editor";
      if (!mode()) return "mode";
      if (!optionalName("language")) return "language";
      if (!count("lines")) return "lines";
      break;
    case "agent.edit":
      if (!isName(o.editor)) return "editor";
      if (!optionalName("language")) return "language";
      if (!count("lines_added")) return "lines_added";
      if (!count("lines_deleted")) return "lines_deleted";
      break;
    case "cli.session":
      if (!count("prompts")) return "prompts";
      if (!count("requests")) return "requests";
      if (!count("prompt_tokens", 1_000_000_000)) return "prompt_tokens";
      if (!count("output_tokens", 1_000_000_000)) return "output_tokens";
      if (!text("cli_version", 64)) return "cli_version";
      break;
    case "agent.session":
      if (absent(o.agent_id) || !text("agent_id", 64)) return "agent_id";
      if (absent(o.agent_name) || !text("agent_name", 128)) return "agent_name";
      if (!count("prompts")) return "prompts";
      break;
    case "pull_request.summarized":
      if (!(typeof o.repository === "string" && isRepository(o.repository))) return "repository";
      break;
    case "activity":
      if (!bool("engaged")) return "engaged";
      if (
        !absent(o.feature) &&
        !(typeof o.feature === "string" && o.feature.length >= 1 && o.feature.length <= 64)
      )
        return "feature";
      break;
  }
  if (ideEvent && ideTypes.includes(o.type)) {
    if (!text("editor_version", 64)) return "editor_version";
    if (!text("plugin", 64)) return "plugin";
    if (!text("plugin_version", 64)) return "plugin_version";
  }
  if (ctx.owner === null && absent(o.user)) return "user (required with an ingest token)";
  if (ctx.owner !== null && !absent(o.user) && (o.user as string).toLowerCase() !== ctx.owner.toLowerCase())
    return "user (not the token's)";
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Request bodies

export type BodyMode = "ndjson" | "json";

export const NDJSON_TYPES = [
  "application/x-ndjson",
  "application/ndjson",
  "application/jsonl",
  "application/x-jsonlines",
];

/** A batch encoded as a request: its body, headers, and the index the server gives each item. */
export interface EncodedBatch {
  body: Buffer;
  headers: Record<string, string>;
  indexes: number[];
  mode: BodyMode;
  gzip: boolean;
}

export const encodingArb = fc.record({
  mode: fc.constantFrom<BodyMode>("ndjson", "json"),
  gzip: fc.boolean(),
  crlf: fc.boolean(),
  blankEvery: fc.constantFrom(0, 0, 2, 3),
  ndjsonType: fc.constantFrom(...NDJSON_TYPES, "Application/X-NDJSON", "application/x-ndjson; charset=utf-8"),
  jsonType: fc.constantFrom("application/json", "application/json; charset=utf-8", "APPLICATION/JSON"),
});

export type Encoding = typeof encodingArb extends fc.Arbitrary<infer T> ? T : never;

/** Encodes items as NDJSON (blank lines sprinkled in as asked) or as a JSON array, gzipped or not. */
export function encodeBatch(items: readonly unknown[], enc: Encoding): EncodedBatch {
  const indexes: number[] = [];
  let text: string;
  if (enc.mode === "json") {
    text = JSON.stringify(items);
    for (let i = 0; i < items.length; i++) indexes.push(i);
  } else {
    const lines: string[] = [];
    items.forEach((item, i) => {
      if (enc.blankEvery > 0 && i % enc.blankEvery === 1) lines.push(i % 2 ? "" : "  ");
      indexes.push(lines.length);
      lines.push(JSON.stringify(item));
    });
    text = lines.join(enc.crlf ? "\r\n" : "\n");
  }
  const raw = Buffer.from(text, "utf8");
  return {
    body: enc.gzip ? gzipSync(raw) : raw,
    headers: {
      "content-type": enc.mode === "json" ? enc.jsonType : enc.ndjsonType,
      ...(enc.gzip ? { "content-encoding": "gzip" } : {}),
    },
    indexes,
    mode: enc.mode,
    gzip: enc.gzip,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Directory files (docs/directory-file.md): valid files in a namespace of their own, and the places to break them

type Obj = Record<string, unknown>;
type Seg = string | number;

/** Logins, slugs and names of fuzzed files: never those of a suite's own world. */
const FUZZ_LOGINS = ["fu1", "fu2", "fu3", "fu4", "fu5", "fu6"];
const fuzzLogin = fc.constantFrom(...FUZZ_LOGINS).chain((l) => fc.constantFrom(l, l.toUpperCase()));
const fuzzDay = fc
  .integer({ min: Date.parse("2026-09-01T00:00:00Z"), max: Date.parse("2026-12-31T00:00:00Z") })
  .map((t) => new Date(t).toISOString().slice(0, 10));
const fuzzName = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }),
  fc.constantFrom(
    "Octo Ent",
    "Ünïcødé 名前",
    "😀 team",
    "yes",
    "null",
    "~",
    "- x",
    "#",
    "2026-11-10",
    "12345",
  ),
);
const grant = fc.oneof(
  fuzzLogin,
  fc
    .record({ login: fuzzLogin, since: fuzzDay, until: fuzzDay }, { requiredKeys: ["login"] })
    .map((g) => (g.since && g.until && g.until < g.since ? { ...g, since: g.until, until: g.since } : g)),
);
const grants = fc.array(grant, { maxLength: 4 });
const teamList = fc.uniqueArray(
  fc.record(
    { slug: fc.constantFrom("ft1", "ft2", "ft3"), name: fuzzName, members: grants },
    { requiredKeys: ["slug"] },
  ),
  { selector: (t) => t.slug, maxLength: 3 },
);

/** A valid directory file of fuzz-only names (as a plain object, to be written as YAML or JSON). */
export const directoryFileArb: fc.Arbitrary<Obj> = fc
  .uniqueArray(
    fc.record(
      {
        slug: fc.constantFrom("fe1", "fe2"),
        name: fuzzName,
        copilot_metrics_policy: fc.constantFrom("enabled", "disabled", "no_policy"),
        owners: grants,
        billing_managers: grants,
        seats: grants,
        members: grants,
        teams: teamList,
      },
      { requiredKeys: ["slug"] },
    ),
    { selector: (e) => e.slug, maxLength: 2 },
  )
  .chain((enterprises) => {
    const ents = enterprises.map((e) => e.slug);
    const org = teamList.chain((teams) =>
      fc.record(
        {
          login: fc.constantFrom("fo1", "fo2", "fo3").chain((l) => fc.constantFrom(l, l.toUpperCase())),
          name: fuzzName,
          enterprise: ents.length ? fc.constantFrom(...ents) : fc.constant(undefined),
          copilot_metrics_policy: fc.constantFrom("enabled", "disabled"),
          owners: grants,
          members: grants,
          seats: fc.array(
            teams.length
              ? fc.oneof(
                  grant,
                  fc.record({
                    login: fuzzLogin,
                    assigning_team: fc.constantFrom(...teams.map((t) => t.slug)),
                  }),
                )
              : grant,
            { maxLength: 4 },
          ),
          teams: fc.constant(teams),
        },
        { requiredKeys: ["login", "teams"] },
      ),
    );
    return fc
      .uniqueArray(org, { selector: (o) => String(o.login).toLowerCase(), maxLength: 3 })
      .chain((organizations) => {
        const orgs = organizations.map((o) => String(o.login));
        const owners = [...orgs, ...ents];
        const model = fc.record(
          {
            name: fc.constantFrom("fm1", "fm2"),
            training_date: fuzzDay,
            owner: owners.length ? fc.constantFrom(...owners) : fc.constant(undefined),
          },
          { requiredKeys: ["name"] },
        );
        const expires = fc.option(
          fc.constantFrom("2027-01-01T00:00:00Z", "2026-12-31T23:00:00-05:00", "2026-01-01T00:00:00.5Z"),
          { nil: undefined },
        );
        const secret = fc.integer({ min: 1, max: 40 }).map((n) => `fz_tok_${n}`);
        const personal = fc.record({
          token: secret,
          kind: fc.constantFrom("classic", "oauth"),
          user: fuzzLogin,
          scopes: fc.array(fc.constantFrom("read:org", "read:enterprise", "manage_billing:copilot", "repo")),
          expires_at: expires,
        });
        const bound = orgs.length
          ? [
              fc.record({
                token: secret,
                kind: fc.constantFrom("fine_grained", "app_user"),
                user: fuzzLogin,
                resource_owner: fc.constantFrom(...orgs),
                permissions: fc.constantFrom({ copilot_business: "read" }, { administration: "write" }, {}),
              }),
              fc.record({
                token: secret,
                kind: fc.constant("app_installation"),
                resource_owner: fc.constantFrom(...orgs),
                permissions: fc.constant({ copilot_business: "read" }),
              }),
            ]
          : [];
        const ingest = fc.record({ token: secret, kind: fc.constant("ingest"), expires_at: expires });
        return fc.record(
          {
            enterprises: fc.constant(enterprises),
            organizations: fc.constant(organizations),
            users: fc.uniqueArray(
              fc.record({ login: fuzzLogin, telemetry: fc.boolean() }, { requiredKeys: ["login"] }),
              {
                selector: (u) => u.login.toLowerCase(),
                maxLength: 3,
              },
            ),
            custom_models: fc.uniqueArray(model, { selector: (m) => m.name, maxLength: 2 }),
            tokens: fc.uniqueArray(fc.oneof(personal, ingest, ...bound), {
              selector: (t) => t.token,
              maxLength: 3,
            }),
          },
          { requiredKeys: ["enterprises", "organizations"] },
        );
      });
  })
  .map(dropUndefined);

function dropUndefined(v: Obj): Obj {
  return JSON.parse(JSON.stringify(v)) as Obj;
}

/** A path as the validator writes it: `organizations[0].members[2].login`, or `(root)`. */
export function pathString(path: readonly Seg[]): string {
  if (path.length === 0) return "(root)";
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

type Kind =
  | "login"
  | "name"
  | "day"
  | "entPolicy"
  | "orgPolicy"
  | "bool"
  | "modelName"
  | "secret"
  | "tokenKind"
  | "scope"
  | "permissions"
  | "timestamp"
  | "list"
  | "item"
  | "grantItem"
  | "mapping"
  | "dup"
  | "order"
  | "missingEnterprise"
  | "missingOwner"
  | "missingOrg"
  | "missingTeam"
  | "deleteUser"
  | "addUser"
  | "addScopes"
  | "addPermissions"
  | "addResourceOwner"
  | "deleteResourceOwner";

/** A place of a valid file and how to make it wrong there. */
export interface Slot {
  path: Seg[];
  kind: Kind;
  /** For "dup": the list's length, so the index the copy gets. */
  size?: number;
}

const deep = (depth: number): unknown => {
  let v: unknown = "x";
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};
const INVALID: Partial<Record<Kind, unknown[]>> = {
  login: [
    5,
    0,
    true,
    [],
    ["fu1"],
    {},
    { login: "fu1" },
    "",
    "a b",
    "x".repeat(40),
    "é",
    "a_b",
    "a\u0000b",
    "fu1\n",
    "\ud800",
    deep(300),
    1.5,
  ],
  name: [
    5,
    true,
    [],
    {},
    { a: 1 },
    "",
    "x".repeat(256),
    "a\u0001b",
    "\u0000",
    "tab\there",
    "\ud800x",
    "x\udc00",
    deep(300),
  ],
  day: [
    "2026-02-30",
    "2026-13-01",
    "2026-1-1",
    "20261110",
    "yesterday",
    "2026-11-10T00:00:00Z",
    20261110,
    true,
    [],
    {},
    "0000-01-01",
    "",
    "0000-02-29",
  ],
  entPolicy: ["ENABLED", "on", "enabled ", 1, true, [], {}, ""],
  orgPolicy: ["ENABLED", "on", "no_policy", 1, false, [], {}, ""],
  bool: ["false", "true", "no", 0, 1, [], {}, "", null],
  modelName: ["has space", "", "x".repeat(65), 5, true, [], {}, "é", "a\u0000"],
  secret: ["short", "has space in", "x".repeat(256), 12345678, true, [], {}, ""],
  tokenKind: ["pat", "Classic", "ingest ", 1, [], {}, ""],
  scope: ["READ:ORG", "read org", 5, [], "", "x".repeat(65)],
  permissions: [
    "read",
    5,
    [],
    true,
    { copilot_business: "admin" },
    { copilot_business: 1 },
    { "a\u0000": "read" },
    { "": "read" },
    { [`k${"x".repeat(100)}`]: "read" },
    { "copilot business": "read" },
  ],
  timestamp: [
    "2027-01-01",
    "tomorrow",
    5,
    true,
    [],
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",
    "2027-01-01T00:00:00+25:00",
    "2027-02-30T00:00:00Z",
    "9999-12-31T23:59:59-01:00",
  ],
  list: ["fu1", 5, { a: 1 }, true],
  item: [5, "fu1", true, [], [1], null],
  grantItem: [5, true, [], {}, "bad login", { login: "fu1", since: "x" }, { logins: "fu1" }, null],
};
const UNKNOWN_KEYS = [
  "bogus",
  "logins",
  "member",
  "seat",
  "Login",
  "x".repeat(300),
  "é",
  "toString",
  "constructor",
  "slug ",
  "\u0000",
];

/** Every place of `file` where a mutation must make the file refused, with what kind of mutation. */
export function slotsOf(file: Obj): Slot[] {
  const out: Slot[] = [{ path: [], kind: "mapping" }];
  const at = (path: Seg[]) =>
    path.reduce<unknown>((v, s) => (v as Record<string | number, unknown>)[s], file);
  const grantList = (p: Seg[], seats: boolean) => {
    const list = at(p) as unknown[] | undefined;
    if (list === undefined) return;
    out.push({ path: p, kind: "list" });
    list.forEach((g, j) => {
      const q = [...p, j];
      out.push({ path: q, kind: "grantItem" });
      if (typeof g === "string") return;
      const o = g as Obj;
      out.push({ path: q, kind: "mapping" }, { path: [...q, "login"], kind: "login" });
      if (o.since !== undefined) out.push({ path: [...q, "since"], kind: "day" });
      if (o.until !== undefined) out.push({ path: [...q, "until"], kind: "day" });
      out.push({ path: q, kind: "order" });
      if (seats && o.assigning_team !== undefined)
        out.push({ path: [...q, "assigning_team"], kind: "login" }, { path: q, kind: "missingTeam" });
    });
  };
  const teams = (p: Seg[]) => {
    const list = at(p) as Obj[] | undefined;
    if (list === undefined) return;
    out.push({ path: p, kind: "list" });
    if (list.length) out.push({ path: p, kind: "dup", size: list.length });
    list.forEach((t, j) => {
      const q = [...p, j];
      out.push(
        { path: q, kind: "item" },
        { path: q, kind: "mapping" },
        { path: [...q, "slug"], kind: "login" },
      );
      if (t.name !== undefined) out.push({ path: [...q, "name"], kind: "name" });
      grantList([...q, "members"], false);
    });
  };
  const each = (key: string, fn: (o: Obj, p: Seg[]) => void) => {
    const list = file[key] as Obj[] | undefined;
    if (list === undefined) return;
    out.push({ path: [key], kind: "list" });
    if (list.length) out.push({ path: [key], kind: "dup", size: list.length });
    list.forEach((o, i) => {
      out.push({ path: [key, i], kind: "item" }, { path: [key, i], kind: "mapping" });
      fn(o, [key, i]);
    });
  };
  const field = (o: Obj, p: Seg[], key: string, kind: Kind) => {
    if (o[key] !== undefined) out.push({ path: [...p, key], kind });
  };
  each("enterprises", (e, p) => {
    out.push({ path: [...p, "slug"], kind: "login" });
    field(e, p, "name", "name");
    field(e, p, "copilot_metrics_policy", "entPolicy");
    for (const k of ["owners", "billing_managers", "seats", "members"]) grantList([...p, k], false);
    teams([...p, "teams"]);
  });
  each("organizations", (o, p) => {
    out.push({ path: [...p, "login"], kind: "login" });
    field(o, p, "name", "name");
    field(o, p, "copilot_metrics_policy", "orgPolicy");
    if (o.enterprise !== undefined)
      out.push(
        { path: [...p, "enterprise"], kind: "login" },
        { path: [...p, "enterprise"], kind: "missingEnterprise" },
      );
    for (const k of ["owners", "members"]) grantList([...p, k], false);
    grantList([...p, "seats"], true);
    teams([...p, "teams"]);
  });
  each("users", (u, p) => {
    out.push({ path: [...p, "login"], kind: "login" });
    field(u, p, "telemetry", "bool");
  });
  each("custom_models", (m, p) => {
    out.push({ path: [...p, "name"], kind: "modelName" });
    field(m, p, "training_date", "day");
    if (m.owner !== undefined)
      out.push({ path: [...p, "owner"], kind: "login" }, { path: [...p, "owner"], kind: "missingOwner" });
  });
  each("tokens", (t, p) => {
    out.push({ path: [...p, "token"], kind: "secret" }, { path: [...p, "kind"], kind: "tokenKind" });
    field(t, p, "expires_at", "timestamp");
    const personal = ["classic", "oauth", "fine_grained", "app_user"].includes(String(t.kind));
    const bound = ["fine_grained", "app_user", "app_installation"].includes(String(t.kind));
    if (personal)
      out.push({ path: [...p, "user"], kind: "login" }, { path: [...p, "user"], kind: "deleteUser" });
    else out.push({ path: [...p, "user"], kind: "addUser" });
    if (bound) {
      out.push(
        { path: [...p, "resource_owner"], kind: "login" },
        { path: [...p, "resource_owner"], kind: "missingOrg" },
        { path: [...p, "resource_owner"], kind: "deleteResourceOwner" },
        { path: [...p, "permissions"], kind: "permissions" },
        { path: [...p, "scopes"], kind: "addScopes" },
      );
    } else
      out.push(
        { path: [...p, "permissions"], kind: "addPermissions" },
        { path: [...p, "resource_owner"], kind: "addResourceOwner" },
      );
    if (t.kind === "classic" || t.kind === "oauth") {
      out.push({ path: [...p, "scopes"], kind: "list" });
      for (let j = 0; j < (t.scopes as unknown[]).length; j++)
        out.push({ path: [...p, "scopes", j], kind: "scope" });
    }
  });
  return out;
}

/** The mutation of a slot: what it does to (a copy of) the file and the path an issue must name. */
export function mutationArb(
  slot: Slot,
): fc.Arbitrary<{ apply(file: Obj): void; expectPath: string; describe: string }> {
  const parentOf = (file: Obj, path: Seg[]) =>
    path.slice(0, -1).reduce<unknown>((v, s) => (v as Record<string | number, unknown>)[s], file) as Record<
      string | number,
      unknown
    >;
  const last = slot.path[slot.path.length - 1]!;
  const set = (value: unknown, describe: string) => ({
    apply: (file: Obj) => {
      parentOf(file, slot.path)[last] = value;
    },
    expectPath: pathString(slot.path),
    describe: `${pathString(slot.path)} ← ${describe}`,
  });
  const show = (v: unknown) => {
    try {
      return JSON.stringify(v)?.slice(0, 60) ?? String(v);
    } catch {
      return "(deep)";
    }
  };
  const values = INVALID[slot.kind];
  if (values) return fc.constantFrom(...values).map((v) => set(v, show(v)));
  const obj = (file: Obj) => (slot.path.length ? parentOf(file, slot.path)[last] : file) as Obj;
  const here = pathString(slot.path);
  switch (slot.kind) {
    case "mapping":
      return fc.constantFrom(...UNKNOWN_KEYS).map((key) => ({
        apply: (file: Obj) => {
          obj(file)[key] = "x";
        },
        expectPath: here,
        describe: `unknown field ${show(key)} in ${here}`,
      }));
    case "dup":
      return fc.constant({
        apply: (file: Obj) => {
          const list = obj(file) as unknown as Obj[];
          const copy = JSON.parse(JSON.stringify(list[0])) as Obj;
          for (const k of ["login", "slug"])
            if (typeof copy[k] === "string") copy[k] = (copy[k] as string).toUpperCase();
          list.push(copy);
        },
        expectPath: `${here}[${slot.size}]`,
        describe: `the first entry of ${here} twice`,
      });
    case "order":
      return fc.constant({
        apply: (file: Obj) => {
          const list = parentOf(file, slot.path);
          const g = list[last];
          list[last] = {
            login: typeof g === "string" ? g : (g as Obj).login,
            since: "2026-12-20",
            until: "2026-12-01",
          };
        },
        expectPath: `${here}.until`,
        describe: `until before since in ${here}`,
      });
    case "missingEnterprise":
      return fc.constant(set("fe-missing", "an enterprise that does not exist"));
    case "missingOwner":
    case "missingOrg":
      return fc.constant(set("fo-missing", "an organization that does not exist"));
    case "missingTeam":
      return fc.constant({
        apply: (file: Obj) => {
          (parentOf(file, slot.path)[last] as Obj).assigning_team = "ft-missing";
        },
        expectPath: `${here}.assigning_team`,
        describe: `a seat assigned by a team that does not exist in ${here}`,
      });
    case "deleteUser":
    case "deleteResourceOwner":
      return fc.constant({
        apply: (file: Obj) => {
          delete parentOf(file, slot.path)[last];
        },
        expectPath: here,
        describe: `${here} removed`,
      });
    case "addUser":
      return fc.constant(set("fu1", "a user on a token that acts for none"));
    case "addScopes":
      return fc.constant(set(["read:org"], "scopes on a token that has permissions"));
    case "addPermissions":
      return fc.constant(set({ copilot_business: "read" }, "permissions on a token that has scopes"));
    case "addResourceOwner":
      return fc.constant(set("fo1", "a resource_owner on a token that has none"));
    default:
      throw new Error(`no mutation for ${slot.kind}`);
  }
}

/**
 * A valid file and one mutation of it: the kind of mutation is drawn first (uniformly among those the file
 * offers), then the place, so rare kinds (a duplicate entry, a dangling reference) come up as often as common ones.
 */
export const brokenFileArb = directoryFileArb.chain((file) => {
  const byKind = new Map<Kind, Slot[]>();
  for (const slot of slotsOf(file)) byKind.set(slot.kind, [...(byKind.get(slot.kind) ?? []), slot]);
  return fc
    .constantFrom(...byKind.keys())
    .chain((kind) => fc.constantFrom(...byKind.get(kind)!))
    .chain((slot) => mutationArb(slot))
    .map((mutation) => ({ file, mutation }));
});

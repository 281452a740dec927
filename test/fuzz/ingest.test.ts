/**
 * Fuzzing `POST /telemetry/v1/events` over a real server: whatever the body, the answer is never a 5xx, arrives
 * in bounded time, is GitHub's error body or a 202 whose rejections are exactly the items the contract
 * (docs/telemetry-events.md) refuses, and nothing accepted before the fuzzing changes.
 */
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../helpers/db.js";
import {
  type Answer,
  contractFault,
  deepJson,
  type Encoding,
  encodeBatch,
  encodingArb,
  expectGitHubError,
  expectIngestResult,
  expectSane,
  MAX_LINES,
  mutatedEventArb,
  NDJSON_TYPES,
  rawExchange,
  rawRequest,
  request,
  runs,
  validEventArb,
} from "../helpers/fuzz.js";
import { type Harness, startHarness } from "../helpers/harness.js";

const NOW = "2026-11-20T12:00:00Z";
const NOW_MS = Date.parse(NOW);
const EARLIEST_DAY = "2026-10-23"; // 28 days before today
const KNOWN_DAY = "2026-11-18";
const LIMIT = 10 * 1024 * 1024;

/** `known` holds the facts that must not move; fuzz traffic goes to `fuzzorg`'s users, on later days. */
const WORLD = `
organizations:
  - login: known
    owners: [kowner]
    members: [k1, k2, k3, k4, k5]
    seats: [k1, k2, k3, k4, k5]
  - login: fuzzorg
    owners: [fowner]
    members: [fz1, fz2, fz3, fz4, fzoff]
    seats: [fz1, fz2, fz3, fz4, fzoff]
users:
  - { login: fzoff, telemetry: false }
tokens:
  - { token: tok_relay, kind: ingest }
  - { token: tok_known_owner, kind: classic, user: kowner, scopes: [read:org] }
  - { token: tok_fuzz_owner, kind: classic, user: fowner, scopes: [read:org] }
  - { token: tok_fz1_user, kind: classic, user: fz1, scopes: [] }
`;
const FUZZ_USERS = ["fz1", "fz2", "fz3", "fz4", "fzoff", "fznew"];
const KNOWN_URL = `/orgs/known/copilot/metrics?since=${KNOWN_DAY}&until=${KNOWN_DAY}`;

const KNOWN_EVENTS = ["k1", "k2", "k3", "k4", "k5"].flatMap((u, i) => [
  {
    id: `known-${u}-1`,
    type: "completion.suggested",
    user: u,
    timestamp: `${KNOWN_DAY}T09:0${i}:00Z`,
    editor: "vscode",
    language: "python",
    lines: 4 + i,
  },
  {
    id: `known-${u}-2`,
    type: "completion.accepted",
    user: u,
    timestamp: `${KNOWN_DAY}T09:0${i}:05Z`,
    editor: "vscode",
    language: "python",
    lines: 3,
    partial: i % 2 === 0,
  },
  {
    id: `known-${u}-3`,
    type: "chat.prompted",
    user: u,
    timestamp: `${KNOWN_DAY}T10:00:00Z`,
    surface: "ide",
    editor: "JetBrains",
  },
  {
    id: `known-${u}-4`,
    type: "pull_request.summarized",
    user: u,
    timestamp: `${KNOWN_DAY}T11:00:00Z`,
    repository: "known/api",
  },
]);

const fuzzEvent = validEventArb({
  users: FUZZ_USERS,
  fromMs: Date.parse("2026-11-19T00:00:00Z"),
  toMs: NOW_MS + 10 * 60_000,
});
const tokenArb = fc.constantFrom<[string, string | null]>(["tok_relay", null], ["tok_fz1_user", "fz1"]);

for (const backend of backends) {
  describe(`fuzzing POST /telemetry/v1/events on ${backend.name}`, () => {
    let h: Harness;
    let baseline: string;
    let baselineFacts: unknown[];
    const post = (
      body: string | Buffer,
      headers: Record<string, string>,
      token = "tok_relay",
    ): Promise<Answer> =>
      request(`${h.url}/telemetry/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, ...headers },
        body,
      });
    const knownFacts = () =>
      h.db.query(
        `SELECT f.day::text, u.login, f.feature, f.editor, f.model, f.dim, f.n1, f.n2, f.n3, f.n4
         FROM facts f JOIN users u ON u.id = f.user_id WHERE u.login LIKE 'k_'
         ORDER BY 1, 2, 3, 4, 5, 6`,
      );

    /** Sends `items` and checks the answer against the contract: which items are rejected, and the counts. */
    async function sendAndCheck(items: unknown[], enc: Encoding, token: [string, string | null]) {
      const batch = encodeBatch(items, enc);
      const what = `${enc.mode}${enc.gzip ? "+gzip" : ""} batch of ${items.length}`;
      const a = await post(batch.body, batch.headers, token[0]);
      if (enc.mode === "ndjson" && items.length === 0) {
        expect(a.status, what).toBe(400);
        expectGitHubError(a, what);
        return;
      }
      const r = expectIngestResult(a, what);
      const ctx = { owner: token[1], nowMs: NOW_MS, earliestDay: EARLIEST_DAY };
      const faults = items.map((item) => contractFault(item, ctx));
      const expected = batch.indexes.filter((_, i) => faults[i] !== null);
      expect(
        r.rejected.map((x) => x.index),
        `${what}: rejected ${JSON.stringify(r.rejected).slice(0, 600)}; faults ${JSON.stringify(faults)}`,
      ).toEqual(expected);
      expect(r.accepted + r.duplicates + r.dropped, what).toBe(items.length - expected.length);
      // A rejection names the event's id whenever the event has a usable one.
      for (const x of r.rejected) {
        const item = items[batch.indexes.indexOf(x.index)] as Record<string, unknown> | null;
        const id = item && typeof item === "object" && !Array.isArray(item) ? item.id : undefined;
        if (typeof id === "string" && id.length >= 1 && id.length <= 128) expect(x.id, what).toBe(id);
        else expect(x.id, what).toBeUndefined();
      }
    }

    beforeAll(async () => {
      h = await startHarness(backend, NOW);
      await h.apply(WORLD);
      const sent = await h.send("tok_relay", KNOWN_EVENTS);
      expect(sent.body).toMatchObject({ accepted: KNOWN_EVENTS.length, rejected: [] });
      await h.process(KNOWN_DAY);
      const res = await h.get(KNOWN_URL, "tok_known_owner");
      expect(res.status).toBe(200);
      baseline = await res.text();
      expect(JSON.parse(baseline)).toHaveLength(1);
      baselineFacts = await knownFacts();
    });
    afterAll(() => h?.close());

    it("rejects exactly the arbitrary JSON values that are not events, in NDJSON and JSON arrays, gzipped or not", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 25 }),
          encodingArb,
          tokenArb,
          (items, enc, token) => sendAndCheck(items, enc, token),
        ),
        runs(120),
      );
    });

    it("rejects exactly the events whose fields have wrong types or values, and takes the others", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(fuzzEvent, mutatedEventArb(fuzzEvent), mutatedEventArb(fuzzEvent)), {
            maxLength: 30,
          }),
          encodingArb,
          tokenArb,
          (items, enc, token) => sendAndCheck(items, enc, token),
        ),
        runs(200),
      );
    });

    it("refuses a JSON body that is not an array with 400, whatever it is", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.jsonValue({ maxDepth: 3 }).filter((v) => !Array.isArray(v)),
          fc.boolean(),
          async (value, gzip) => {
            const text = Buffer.from(JSON.stringify(value));
            const a = await post(gzip ? gzipSync(text) : text, {
              "content-type": "application/json",
              ...(gzip ? { "content-encoding": "gzip" } : {}),
            });
            expect(a.status, a.text).toBe(400);
            expectGitHubError(a, JSON.stringify(value).slice(0, 100));
          },
        ),
        runs(60),
      );
    });

    it("answers a truncated body with 400, or with 202 rejecting exactly its cut line and the refused events", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fuzzEvent, { minLength: 1, maxLength: 8 }),
          encodingArb,
          fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
          async (items, enc, where) => {
            const full = encodeBatch(items, { ...enc, gzip: false });
            const cut = Math.floor(where * full.body.length);
            const prefix = full.body.subarray(0, cut);
            const zipped = gzipSync(full.body);
            const body = enc.gzip ? zipped.subarray(0, Math.floor(where * zipped.length)) : prefix;
            const what = `${enc.mode}${enc.gzip ? "+gzip" : ""} cut at ${cut} of ${full.body.length}`;
            const a = await post(body, {
              ...full.headers,
              ...(enc.gzip ? { "content-encoding": "gzip" } : {}),
            });
            if (enc.gzip || enc.mode === "json") {
              expect(a.status, `${what}: ${a.text.slice(0, 300)}`).toBe(400);
              expectGitHubError(a, what);
              return;
            }
            let text: string;
            try {
              text = new TextDecoder("utf-8", { fatal: true }).decode(prefix);
            } catch {
              expect(a.status, what).toBe(400);
              expect(expectGitHubError(a, what).message).toContain("UTF-8");
              return;
            }
            // Each line is read on its own: the cut one is refused unless it happens to end where a line ends.
            const ctx = { owner: null, nowMs: NOW_MS, earliestDay: EARLIEST_DAY };
            const expected: number[] = [];
            let parsed = 0;
            text.split("\n").forEach((line, index) => {
              if (line.trim() === "") return;
              try {
                const value: unknown = JSON.parse(line);
                parsed++;
                if (contractFault(value, ctx) !== null) expected.push(index);
              } catch {
                expected.push(index);
              }
            });
            if (parsed === 0) {
              expect(a.status, what).toBe(400);
              expectGitHubError(a, what);
              return;
            }
            const r = expectIngestResult(a, what);
            expect(
              r.rejected.map((x) => x.index),
              what,
            ).toEqual(expected);
          },
        ),
        runs(120),
      );
    });

    it("answers a body with invalid UTF-8 bytes with 400 naming UTF-8", async () => {
      const BAD = [
        [0xff],
        [0xfe],
        [0xc0, 0x80],
        [0x80],
        [0xe2, 0x82],
        [0xed, 0xa0, 0x80],
        [0xf4, 0x90, 0x80, 0x80],
        [0xf8, 0x88, 0x80, 0x80, 0x80],
      ];
      await fc.assert(
        fc.asyncProperty(
          fc.array(fuzzEvent, { minLength: 1, maxLength: 5 }),
          encodingArb,
          fc.constantFrom(...BAD),
          fc.double({ min: 0, max: 1, noNaN: true }),
          async (items, enc, bad, where) => {
            const plain = encodeBatch(items, { ...enc, gzip: false });
            const at = Math.floor(where * plain.body.length);
            const broken = Buffer.concat([
              plain.body.subarray(0, at),
              Buffer.from(bad),
              plain.body.subarray(at),
            ]);
            const a = await post(enc.gzip ? gzipSync(broken) : broken, {
              ...plain.headers,
              ...(enc.gzip ? { "content-encoding": "gzip" } : {}),
            });
            const what = `${bad.map((b) => b.toString(16)).join(" ")} at ${at}`;
            expect(a.status, `${what}: ${a.text.slice(0, 300)}`).toBe(400);
            expect(expectGitHubError(a, what).message).toContain("UTF-8");
          },
        ),
        runs(80),
      );
    });

    it("answers random bytes under any content type and encoding without a 5xx", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.uint8Array({ maxLength: 2048 }),
            fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => gzipSync(b)),
          ),
          fc.constantFrom(
            undefined,
            "application/json",
            "application/x-ndjson",
            "text/plain",
            "application/octet-stream",
            "multipart/form-data; boundary=x",
          ),
          fc.constantFrom(undefined, "gzip", "identity", "br", "deflate", "x-gzip"),
          async (bytes, type, encoding) => {
            const a = await post(Buffer.from(bytes), {
              ...(type ? { "content-type": type } : {}),
              ...(encoding ? { "content-encoding": encoding } : {}),
            });
            expectSane(a, `${bytes.length} bytes as ${type} / ${encoding}`);
            expect([202, 400], a.text.slice(0, 300)).toContain(a.status);
            if (a.status === 202) expectIngestResult(a, "random bytes");
          },
        ),
        runs(120),
      );
    });

    it("takes exactly the content types and encodings of the contract, and refuses the others with 400", async () => {
      const headerText = fc.string({
        unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
        maxLength: 30,
      });
      const caseOf = (s: string) =>
        fc
          .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
          .map((up) => [...s].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(""));
      const typeArb = fc.oneof(
        fc
          .tuple(
            fc.constantFrom("application/json", ...NDJSON_TYPES).chain(caseOf),
            fc.constantFrom("", " ", "; charset=utf-8", ";charset=UTF-8", "; q=1", " ; x=y"),
          )
          .map(([t, p]) => t + p),
        fc.constantFrom(
          "",
          "application/jsonx",
          "application/json-seq",
          "text/json",
          "json",
          "application/",
          "*/*",
          "application/x-ndjson2",
        ),
        headerText,
      );
      const encodingArbH = fc.oneof(
        fc.constantFrom(
          undefined,
          "",
          "gzip",
          "GZIP",
          " gzip ",
          "x-gzip",
          "identity",
          "Identity",
          "br",
          "deflate",
          "gzip, gzip",
          "gzip;q=1",
        ),
        headerText,
      );
      await fc.assert(
        fc.asyncProperty(typeArb, encodingArbH, fuzzEvent, async (type, encoding, event) => {
          const base = type.split(";")[0]!.trim().toLowerCase();
          const json = base === "application/json";
          const typeOk = json || NDJSON_TYPES.includes(base);
          const enc = (encoding ?? "").trim().toLowerCase();
          const gzip = enc === "gzip" || enc === "x-gzip";
          const encOk = gzip || enc === "" || enc === "identity";
          const text = Buffer.from(json ? JSON.stringify([event]) : JSON.stringify(event));
          const a = await post(gzip ? gzipSync(text) : text, {
            "content-type": type,
            ...(encoding !== undefined ? { "content-encoding": encoding } : {}),
          });
          const what = `Content-Type ${JSON.stringify(type)}, Content-Encoding ${JSON.stringify(encoding)}`;
          expectSane(a, what);
          if (typeOk && encOk) expectIngestResult(a, what);
          else expect(a.status, `${what}: ${a.text.slice(0, 300)}`).toBe(400);
        }),
        runs(150),
      );
      // No Content-Type at all (fetch always sends one with a text body: a raw request does not).
      const [a] = await rawExchange(
        h.url,
        rawRequest(
          "POST",
          "/telemetry/v1/events",
          [
            ["Host", "x"],
            ["Authorization", "Bearer tok_relay"],
            ["Content-Length", "2"],
            ["Connection", "close"],
          ],
          Buffer.from("[]"),
        ),
      );
      expect(a!.status).toBe(400);
      expectGitHubError(a!, "no Content-Type");
    });

    it("answers JSON nested 100,000 levels deep (and deeper) without a 5xx, in time", async () => {
      const D = 100_000;
      const event = (field: string, value: string) =>
        `{"id":"deep-${field}","type":"activity","user":"fz2","timestamp":"2026-11-19T10:00:00Z","${field}":${value}}`;
      // [what, body, headers, status, rejected items of a 202]; an unknown field is ignored, however deep.
      const cases: [string, string | Buffer, Record<string, string>, number, number?][] = [
        ["[…] as the JSON body", deepJson(D, "array"), { "content-type": "application/json" }, 202],
        ["{…} as the JSON body", deepJson(D, "object"), { "content-type": "application/json" }, 400],
        ["[…] as an NDJSON line", deepJson(D, "array"), { "content-type": "application/x-ndjson" }, 202],
        ["an id nested", event("id", deepJson(D, "array")), { "content-type": "application/x-ndjson" }, 202],
        [
          "a type nested",
          event("type", deepJson(D, "object")),
          { "content-type": "application/x-ndjson" },
          202,
        ],
        [
          "a user nested",
          event("user", deepJson(D, "object")),
          { "content-type": "application/x-ndjson" },
          202,
        ],
        [
          "a feature nested",
          event("feature", deepJson(D, "array")),
          { "content-type": "application/x-ndjson" },
          202,
        ],
        [
          "an engaged nested",
          `[${event("engaged", deepJson(D, "array"))}]`,
          { "content-type": "application/json" },
          202,
        ],
        [
          "an extra field nested",
          `[${event("extra", deepJson(D, "object"))}]`,
          { "content-type": "application/json" },
          202,
          0,
        ],
        ["100,000 unclosed [", "[".repeat(D), { "content-type": "application/json" }, 400],
        ["100,000 unclosed [ in NDJSON", "[".repeat(D), { "content-type": "application/x-ndjson" }, 400],
        ["1,000,000 levels", deepJson(1_000_000, "array"), { "content-type": "application/json" }, 202],
        [
          "5,000,000 levels, gzipped",
          gzipSync(deepJson(5_000_000, "array")),
          { "content-type": "application/json", "content-encoding": "gzip" },
          202,
        ],
      ];
      for (const [what, body, headers, status, rejected = 1] of cases) {
        const a = await post(body, headers);
        expectSane(a, what);
        expect(a.status, `${what}: ${a.text.slice(0, 300)}`).toBe(status);
        if (status === 202) {
          const r = expectIngestResult(a, what);
          expect(r.rejected.length, what).toBe(rejected);
          expect(r.accepted + r.duplicates, what).toBe(1 - rejected);
        }
      }
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 200_000 }),
          fc.constantFrom<"array" | "object">("array", "object"),
          fc.constantFrom("id", "type", "timestamp", "user", "model", "editor", "lines", "extra"),
          encodingArb,
          async (depth, kind, field, enc) => {
            const line = `{"id":"d${depth}","type":"completion.suggested","user":"fz3","timestamp":"2026-11-19T10:00:00Z","editor":"vscode","language":"go","lines":1,"${field}":${deepJson(depth, kind)}}`;
            const text = enc.mode === "json" ? `[${line}]` : line;
            const a = await post(enc.gzip ? gzipSync(text) : text, {
              "content-type": enc.mode === "json" ? "application/json" : "application/x-ndjson",
              ...(enc.gzip ? { "content-encoding": "gzip" } : {}),
            });
            const r = expectIngestResult(a, `${field} nested ${depth} (${kind})`);
            expect(r.rejected.length + r.accepted + r.duplicates).toBe(1);
            if (field !== "extra") expect(r.rejected.length, `${field} nested ${depth}`).toBe(1);
          },
        ),
        runs(25),
      );
    });

    it("answers 413 above 10 MiB or 10,000 events, however sent, and stops inflating a gzip bomb at the limit", async () => {
      const ev = JSON.stringify({
        id: "limit-1",
        type: "activity",
        user: "fz4",
        timestamp: "2026-11-19T10:00:00Z",
      });
      const padded = (size: number, json: boolean) => {
        const core = json ? `[${ev}]` : ev;
        return Buffer.concat([Buffer.from(core), Buffer.alloc(size - core.length, 0x20)]);
      };
      for (const json of [false, true]) {
        const headers = { "content-type": json ? "application/json" : "application/x-ndjson" };
        const gz = { ...headers, "content-encoding": "gzip" };
        expectIngestResult(await post(padded(LIMIT, json), headers), "exactly 10 MiB");
        expectIngestResult(await post(gzipSync(padded(LIMIT, json)), gz), "exactly 10 MiB once inflated");
        for (const [what, a] of [
          ["10 MiB + 1", await post(padded(LIMIT + 1, json), headers)],
          ["10 MiB + 1 once inflated", await post(gzipSync(padded(LIMIT + 1, json)), gz)],
          ["20 MiB of random bytes", await post(Buffer.alloc(2 * LIMIT, 7), headers)],
        ] as const) {
          expect(a.status, `${what}: ${a.text.slice(0, 300)}`).toBe(413);
          expectGitHubError(a, what);
        }
      }
      // Event counts: 10,000 is the most; blank lines do not count.
      const ones = (n: number, sep = "\n") => Array.from({ length: n }, () => "1").join(sep);
      const count = [
        ["10,000 NDJSON lines", ones(10_000), "application/x-ndjson", 202],
        ["10,000 NDJSON lines among blank ones", ones(10_000, "\n\n \n"), "application/x-ndjson", 202],
        ["10,001 NDJSON lines", ones(10_001), "application/x-ndjson", 413],
        ["10,000 array items", `[${ones(10_000, ",")}]`, "application/json", 202],
        ["10,001 array items", `[${ones(10_001, ",")}]`, "application/json", 413],
        ["100,000 array items", `[${ones(100_000, ",")}]`, "application/json", 413],
      ] as const;
      for (const [what, body, type, status] of count) {
        const a = await post(body, { "content-type": type });
        expect(a.status, `${what}: ${a.text.slice(0, 200)}`).toBe(status);
        if (status === 413) expect(expectGitHubError(a, what).message).toContain("10000");
        else expect(expectIngestResult(a, what).rejected).toHaveLength(10_000);
      }
      // Gzip bombs: one 64 MiB member (≈ 64 KiB), and 1 GiB as 64 concatenated 16 MiB members (≈ 1 MiB).
      const member = gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20), { level: 9 });
      const bombs = [
        ["one member of 64 MiB", gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 })],
        ["1 GiB in 64 members", Buffer.concat(Array.from({ length: 64 }, () => member))],
      ] as const;
      for (const [what, bomb] of bombs) {
        const rss = process.memoryUsage().rss;
        const started = performance.now();
        const a = await post(bomb, { "content-type": "application/x-ndjson", "content-encoding": "gzip" });
        expect(a.status, `${what}: ${a.text.slice(0, 200)}`).toBe(413);
        expect(expectGitHubError(a, what).message).toContain("decompressed");
        // Printed, not asserted: times belong in bench/.
        console.log(
          `[fuzz ingest] gzip bomb, ${what}: 413 after ${Math.round(performance.now() - started)} ms`,
        );
        // Inflating it all would take 64 MiB or 1 GiB: the limit stops it at 10 MiB.
        expect(process.memoryUsage().rss - rss, what).toBeLessThan(200 * 1024 * 1024);
      }
      // Sizes around the limit, raw and inflated: 413 exactly above it.
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: LIMIT - 64, max: LIMIT + 64 }),
          fc.boolean(),
          fc.boolean(),
          async (size, json, gzip) => {
            const body = padded(size, json);
            const a = await post(gzip ? gzipSync(body) : body, {
              "content-type": json ? "application/json" : "application/x-ndjson",
              ...(gzip ? { "content-encoding": "gzip" } : {}),
            });
            const what = `${size} bytes${gzip ? " once inflated" : ""}`;
            if (size > LIMIT) {
              expect(a.status, what).toBe(413);
              expectGitHubError(a, what);
            } else expectIngestResult(a, what);
          },
        ),
        runs(10),
      );
    });

    it("keeps lines within the counters: at most MAX_LINES per event, however many events", async () => {
      const at = "2026-11-19T11:00:00Z";
      const events = (lines: number, n: number, tag: string) =>
        Array.from({ length: n }, (_, i) => ({
          id: `big-${tag}-${i}`,
          type: "completion.suggested",
          user: "fz1",
          timestamp: at,
          editor: "vscode",
          language: "go",
          lines,
        }));
      const over = await post(
        events(Number.MAX_SAFE_INTEGER, 2000, "max")
          .map((e) => JSON.stringify(e))
          .join("\n"),
        { "content-type": "application/x-ndjson" },
      );
      const r = expectIngestResult(over, "2,000 events of MAX_SAFE_INTEGER lines");
      expect(r.rejected).toHaveLength(2000);
      expect(r.rejected[0]!.message).toContain(`at most ${MAX_LINES}`);
      const most = await post(
        events(MAX_LINES, 10_000, "cap")
          .map((e) => JSON.stringify(e))
          .join("\n"),
        { "content-type": "application/x-ndjson" },
      );
      expect(expectIngestResult(most, "10,000 events of MAX_LINES lines")).toMatchObject({
        accepted: 10_000,
        rejected: [],
      });
    });

    it("has changed nothing accepted before the fuzzing, processes the fuzzed days, and still answers", async () => {
      expect(await knownFacts()).toEqual(baselineFacts);
      await h.process(KNOWN_DAY);
      const again = await h.get(KNOWN_URL, "tok_known_owner");
      expect(again.status).toBe(200);
      expect(await again.text()).toBe(baseline);
      // The fuzzed day goes through processing and serves GitHub's schema (checked by the harness).
      expect(await h.process("2026-11-19")).toEqual(["2026-11-19"]);
      const fuzzed = await h.get("/orgs/fuzzorg/copilot/metrics", "tok_fuzz_owner");
      expect(fuzzed.status).toBe(200);
      expect(((await fuzzed.json()) as { date: string }[]).map((d) => d.date)).toContain("2026-11-19");
      expect((await h.get("/orgs/known/copilot/metrics", "tok_known_owner")).status).toBe(200);
    });
  });
}

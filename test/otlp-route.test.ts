import { gzipSync } from "node:zlib";
import protobuf from "protobufjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../src/db/migrate.js";
import { PgliteDb } from "../src/db/pglite.js";
import { applyDirectoryText } from "../src/directory/apply.js";
import { AnswerCache } from "../src/http/answer-cache.js";
import { buildApp } from "../src/http/app.js";
import { ManualClock } from "../src/util/clock.js";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";
import { RecordingProxy, tracerFor } from "./helpers/otel.js";

/*
 * The OTLP/HTTP answers of spec/otlp-ingest.md, request by request: hand-written OTLP/JSON bodies (64-bit
 * integers as strings, enums as numbers, ids as hex), protobuf from the real exporter, gzip, and every refusal.
 * Today is 2026-11-20; 1795168800 s is 2026-11-20T10:00:00Z.
 */
const NOW = "2026-11-20T12:00:00Z";
const T = (s: number) => `${BigInt(1795168800 + s) * 1_000_000_000n}`;
const DIRECTORY = `
users:
  - login: hubot
    telemetry: false
  - login: mona
    emails: [mona@example.com]
tokens:
  - { token: tok_relay_r, kind: ingest }
  - { token: tok_mona_r, user: mona, kind: classic, scopes: [] }
  - { token: tok_app_install, kind: app_installation, resource_owner: octo, permissions: { copilot_business: read } }
organizations:
  - login: octo
    members: [mona]
`;

const kv = (key: string, v: string) => ({ key, value: { stringValue: v } });
/** Claude Code's token counter as OTLP/JSON: delta sums with `asInt` as a string. */
function claudeTokens(user: Record<string, string>, points: { type: string; n: number; at: number }[]) {
  return {
    resourceMetrics: [
      {
        resource: {
          attributes: [kv("service.name", "claude-code"), ...Object.entries(user).map(([k, v]) => kv(k, v))],
        },
        scopeMetrics: [
          {
            scope: { name: "com.anthropic.claude_code", version: "2.0.14" },
            metrics: [
              {
                name: "claude_code.token.usage",
                unit: "tokens",
                sum: {
                  aggregationTemporality: 1,
                  isMonotonic: true,
                  dataPoints: points.map((p) => ({
                    attributes: [kv("type", p.type), kv("model", "claude-opus-4-1")],
                    startTimeUnixNano: T(p.at - 60),
                    timeUnixNano: T(p.at),
                    asInt: String(p.n),
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

for (const backend of backends) {
  describe(`OTLP/HTTP answers on ${backend.name}`, () => {
    let h: Harness;
    const post = (path: string, body: string | Uint8Array, headers: Record<string, string>) =>
      fetch(`${h.url}${path}`, { method: "POST", headers, body });
    const json = { "content-type": "application/json", authorization: "Bearer tok_relay_r" };
    const usage = async () => {
      const rows = await h.db.query<{
        login: string;
        input_tokens: string | number;
        output_tokens: string | number;
      }>(
        "SELECT u.login, g.input_tokens, g.output_tokens FROM otlp_usage g JOIN users u ON u.id = g.user_id ORDER BY u.login",
      );
      return rows.map((r) => [r.login, Number(r.input_tokens), Number(r.output_tokens)]);
    };

    beforeAll(async () => {
      h = await startHarness(backend, NOW);
      await h.apply(DIRECTORY);
    });
    afterAll(async () => h?.close());

    it("takes OTLP/JSON (integers as strings, enums as numbers) and answers an empty ExportMetricsServiceResponse", async () => {
      const body = claudeTokens({ "enduser.id": "lisa" }, [
        { type: "input", n: 1200, at: 0 },
        { type: "output", n: 34, at: 0 },
      ]);
      const res = await post("/v1/metrics", JSON.stringify(body), json);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await res.text()).toBe("{}");
      expect(await usage()).toEqual([["lisa", 1200, 34]]);
    });

    it("takes gzip, and a delta retry (same series, same time) adds nothing", async () => {
      const body = claudeTokens({ "enduser.id": "lisa" }, [{ type: "input", n: 1200, at: 0 }]);
      const res = await post("/v1/metrics", gzipSync(JSON.stringify(body)), {
        ...json,
        "content-encoding": "gzip",
      });
      expect(res.status).toBe(200);
      expect(await usage()).toEqual([["lisa", 1200, 34]]);
    });

    it("attributes by user.email from the directory, and drops the usage of a user with telemetry off", async () => {
      await post(
        "/v1/metrics",
        JSON.stringify(claudeTokens({ "user.email": "MONA@example.com" }, [{ type: "input", n: 5, at: 60 }])),
        json,
      );
      await post(
        "/v1/metrics",
        JSON.stringify(claudeTokens({ "enduser.id": "hubot" }, [{ type: "input", n: 7, at: 60 }])),
        json,
      );
      expect(await usage()).toEqual([
        ["lisa", 1200, 34],
        ["mona", 5, 0],
      ]);
    });

    it("refuses items it cannot attribute, counting them in partialSuccess with a message naming each", async () => {
      const body = claudeTokens({ "user.email": "nobody@example.com" }, [
        { type: "input", n: 1, at: 120 },
        { type: "output", n: 1, at: 120 },
      ]);
      const res = await post("/v1/metrics", JSON.stringify(body), json);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        partialSuccess: {
          rejectedDataPoints: "2",
          errorMessage:
            "2 of 2 data points refused. data point 0: user.email nobody@example.com is not listed under any user's emails in the directory file: add it there, or set enduser.id; data point 1: user.email nobody@example.com is not listed under any user's emails in the directory file: add it there, or set enduser.id",
        },
      });
    });

    it("refuses, in partialSuccess, the items whose events go past the per-user cardinality limits", async () => {
      // lisa already sent 100 distinct models today through the native route.
      const sent = await h.send(
        "tok_relay_r",
        Array.from({ length: 100 }, (_, i) => ({
          id: `card-${i}`,
          type: "chat.prompted",
          user: "lisa",
          timestamp: "2026-11-20T10:00:00Z",
          surface: "ide",
          editor: "vscode",
          model: `m${i}`,
        })),
      );
      expect(sent.status).toBe(202);
      const span = (id: string, model: string) => ({
        traceId: "0af7651916cd43dd8448eb211c80319c",
        spanId: id,
        name: "invoke_agent",
        startTimeUnixNano: T(100),
        endTimeUnixNano: T(110),
        attributes: [kv("gen_ai.request.model", model)],
      });
      const body = {
        resourceSpans: [
          {
            resource: { attributes: [kv("service.name", "copilot-chat"), kv("enduser.id", "lisa")] },
            scopeSpans: [
              {
                scope: { name: "copilot-chat" },
                spans: [span("b7ad6b7169203331", "m7"), span("b7ad6b7169203332", "m100")],
              },
            ],
          },
        ],
      };
      const res = await post("/v1/traces", JSON.stringify(body), json);
      expect(res.status).toBe(200);
      const answer = (await res.json()) as {
        partialSuccess: { rejectedSpans: string; errorMessage: string };
      };
      expect(answer.partialSuccess.rejectedSpans).toBe("1");
      expect(answer.partialSuccess.errorMessage).toMatch(
        /^1 of 2 spans refused\. span 1: limit of 100 distinct "model" values per user and day reached: "lisa" already sent 100 on 2026-11-20, so the new value "m100" is refused/,
      );
    });

    it("ignores signals no table maps (not refused)", async () => {
      const body = {
        resourceMetrics: [
          {
            resource: { attributes: [kv("service.name", "checkout-api")] },
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: "http.server.duration",
                    gauge: { dataPoints: [{ timeUnixNano: T(0), asDouble: 1.5 }] },
                  },
                ],
              },
            ],
          },
        ],
      };
      const res = await post("/v1/metrics", JSON.stringify(body), json);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("{}");
    });

    it("answers partialSuccess in protobuf to a protobuf request (the real exporter), rejectedSpans and errorMessage", async () => {
      const proxy = new RecordingProxy(h.url);
      const endpoint = await proxy.start();
      const t = tracerFor({
        endpoint,
        token: "tok_relay_r",
        protocol: "http/protobuf",
        temporality: "cumulative",
        resource: { "service.name": "copilot-chat" },
      });
      t.tracer.startSpan("invoke_agent").end();
      await t.shutdown();
      await proxy.close();
      const r = proxy.recorded[0]!;
      expect(r.status).toBe(200);
      // ExportTraceServiceResponse { partial_success (1) { rejected_spans (1): int64, error_message (2): string } },
      // read with protobufjs' wire reader, independently of pilotlog's message definitions.
      const outer = protobuf.Reader.create(r.response);
      expect(outer.uint32()).toBe((1 << 3) | 2);
      const inner = protobuf.Reader.create(outer.bytes());
      expect(inner.uint32()).toBe((1 << 3) | 0);
      expect(Number(inner.int64())).toBe(1);
      expect(inner.uint32()).toBe((2 << 3) | 2);
      expect(inner.string()).toMatch(/^1 of 1 spans refused\. span 0: no user: /);
    });

    it("answers 400 with a google.rpc.Status for a body that is not protobuf, and keeps nothing", async () => {
      const res = await post("/v1/logs", new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), {
        "content-type": "application/x-protobuf",
        authorization: "Bearer tok_relay_r",
      });
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/x-protobuf");
      const status = protobuf.Reader.create(new Uint8Array(await res.arrayBuffer()));
      expect(status.uint32()).toBe((1 << 3) | 0);
      expect(status.int32()).toBe(3); // INVALID_ARGUMENT
      expect(status.uint32()).toBe((2 << 3) | 2);
      expect(status.string()).toMatch(/^the body is not a valid ExportLogsServiceRequest protobuf/);
    });

    it("answers 400 in JSON for JSON that is not an export request, naming the place", async () => {
      const bad = await post("/v1/metrics", "{not json", json);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toMatch(/^the body is not valid JSON/);
      const wrong = await post("/v1/metrics", JSON.stringify({ resourceMetrics: {} }), json);
      expect(wrong.status).toBe(400);
      expect(await wrong.json()).toEqual({ code: 3, message: "resourceMetrics must be an array" });
    });

    it("answers 415 for a body that is neither OTLP protobuf nor OTLP/JSON", async () => {
      const res = await post("/v1/traces", "x", {
        "content-type": "text/plain",
        authorization: "Bearer tok_relay_r",
      });
      expect(res.status).toBe(415);
      expect(((await res.json()) as { message: string }).message).toMatch(
        /application\/x-protobuf or application\/json/,
      );
    });

    it("answers 401 without a token or with a bad one, 403 for an installation token", async () => {
      const body = JSON.stringify({ resourceSpans: [] });
      expect((await post("/v1/traces", body, { "content-type": "application/json" })).status).toBe(401);
      expect((await post("/v1/traces", body, { ...json, authorization: "Bearer nope-nope" })).status).toBe(
        401,
      );
      const app = await post("/v1/traces", body, { ...json, authorization: "Bearer tok_app_install" });
      expect(app.status).toBe(403);
      expect(((await app.json()) as { message: string }).message).toMatch(/installation token/);
    });

    it("answers 413 past 10 MiB once decompressed and past the item bound", async () => {
      const bomb = gzipSync(Buffer.alloc(11 * 1024 * 1024, 0x20));
      const big = await post("/v1/metrics", bomb, { ...json, "content-encoding": "gzip" });
      expect(big.status).toBe(413);
      const points = Array.from({ length: 50_001 }, () => ({ timeUnixNano: T(0), asInt: "1" }));
      const many = {
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  { name: "m", sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: points } },
                ],
              },
            ],
          },
        ],
      };
      const res = await post("/v1/metrics", JSON.stringify(many), json);
      expect(res.status).toBe(413);
      expect(((await res.json()) as { message: string }).message).toBe(
        "more than 50000 items in one request: export smaller batches",
      );
    });

    it("a user's token owns every item, whatever the item names", async () => {
      const body = claudeTokens({ "enduser.id": "lisa" }, [{ type: "output", n: 9, at: 180 }]);
      const res = await post("/v1/metrics", JSON.stringify(body), {
        ...json,
        authorization: "Bearer tok_mona_r",
      });
      expect(res.status).toBe(200);
      expect(await usage()).toEqual([
        ["lisa", 1200, 34],
        ["mona", 5, 9],
      ]);
    });
  });
}

describe("OTLP/HTTP when pilotlog cannot take the load or the database is away", () => {
  it("answers 503 with Retry-After when the database is away, 429 with Retry-After past the requests in flight", async () => {
    const db = await PgliteDb.open();
    await migrate(db);
    const clock = new ManualClock(new Date(NOW));
    await applyDirectoryText(db, DIRECTORY, "t.yaml", { today: "2026-11-20", windowDays: 28 });
    const app = buildApp({ db, clock, windowDays: 28, answers: new AnswerCache() });
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    const body = JSON.stringify(claudeTokens({ "enduser.id": "lisa" }, [{ type: "input", n: 1, at: 0 }]));
    const send = () =>
      fetch(`${url}/v1/metrics`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer tok_relay_r" },
        body,
      });

    // PGlite runs one statement at a time: a transaction held open keeps 32 requests waiting for the database.
    let release!: () => void;
    const held = db.transaction(() => new Promise<void>((r) => (release = r)));
    const waiting = Array.from({ length: 32 }, send);
    await new Promise((r) => setTimeout(r, 500));
    const busy = await send();
    expect(busy.status).toBe(429);
    expect(busy.headers.get("retry-after")).toBe("2");
    release();
    await held;
    expect((await Promise.all(waiting)).map((r) => r.status)).toEqual(Array(32).fill(200));

    await db.close();
    const down = await send();
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBe("5");
    expect(((await down.json()) as { message: string }).message).toMatch(
      /nothing in this request was stored/,
    );
    await app.close();
  }, 30_000);
});

/**
 * Every error answer comes from the catalogue (docs/errors.md): over real HTTP, each situation below answers its
 * entry's status, the stable code in x-pilotlog-error-code, GitHub's body (checked against GitHub's schema), and
 * never the cause's details. 408, 417 and 431 are made before Fastify runs, from the same entries.
 */
import { connect } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnswerCache } from "../src/http/answer-cache.js";
import { buildApp } from "../src/http/app.js";
import { ERROR_CATALOGUE, type ErrorKind } from "../src/http/errors.js";
import { ManualClock } from "../src/util/clock.js";
import { backends } from "./helpers/db.js";
import { assertErrorBody } from "./helpers/schema.js";

const ADMIN = "admin-secret-of-this-test";

/** Sends raw bytes (and keeps the socket open `holdMs` when asked) and returns the whole answer, head split off. */
function raw(
  url: string,
  bytes: string,
  end = true,
): Promise<{ status: number; headers: Map<string, string>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), hostname, () => (end ? s.end(bytes) : s.write(bytes)));
    let out = "";
    s.on("data", (b: Buffer) => (out += b.toString()));
    s.on("close", () => {
      const [head, body = ""] = out.split("\r\n\r\n");
      const [statusLine, ...lines] = (head ?? "").split("\r\n");
      const headers = new Map(
        lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
      );
      resolve({ status: Number(statusLine?.split(" ")[1]), headers, body });
    });
    s.on("error", reject);
  });
}

function expectEntry(
  kind: ErrorKind,
  got: { status: number; code: string | null | undefined; type: string | null | undefined; body: string },
): Record<string, unknown> {
  const entry = ERROR_CATALOGUE[kind];
  expect(got.status, got.body).toBe(entry.status);
  expect(got.code).toBe(entry.code);
  expect(got.type).toBe("application/json; charset=utf-8");
  const body = JSON.parse(got.body) as Record<string, unknown>;
  assertErrorBody(body);
  expect(body.status).toBe(String(entry.status));
  expect(typeof body.documentation_url).toBe("string");
  // No stack, no parser internals.
  expect(got.body).not.toMatch(/\bat .*\.(js|ts):\d+|FST_ERR|SyntaxError|Error:/);
  return body;
}

describe.each(backends)("error answers from the catalogue on $name", (backend) => {
  let app: FastifyInstance;
  let url: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const created = await backend.create();
    drop = created.drop;
    app = buildApp(
      {
        db: created.db,
        clock: new ManualClock(new Date("2026-11-20T12:00:00Z")),
        windowDays: 28,
        answers: new AnswerCache(),
        adminToken: ADMIN,
      },
      // Short time limits so that a 408 arrives in the test; production's are in LIMITS.
      { timeouts: { headersMs: 300, requestMs: 600, checkEveryMs: 50 } },
    );
    url = await app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  const fetchEntry = async (kind: ErrorKind, path: string, init?: RequestInit) => {
    const res = await fetch(`${url}${path}`, init);
    const got = {
      status: res.status,
      code: res.headers.get("x-pilotlog-error-code"),
      type: res.headers.get("content-type"),
      body: await res.text(),
    };
    expect(res.headers.get("x-github-request-id")).toBeTruthy();
    return expectEntry(kind, got);
  };

  it("answers an unknown route with the route's 404, GitHub's words", async () => {
    const body = await fetchEntry("route_not_found", "/no/such/route");
    expect(body).toEqual({
      message: "Not Found",
      documentation_url: "https://docs.github.com/rest",
      status: "404",
    });
    await fetchEntry("route_not_found", "/_pilotlog/nothing", { method: "OPTIONS" });
    // A resource that does not exist is the other 404.
    await fetchEntry("not_found", "/_pilotlog/admin/apply", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
  });

  it("answers a body that is not JSON with 400 Problems parsing JSON, naming where, not the parser's error", async () => {
    const body = await fetchEntry("bad_json", "/_pilotlog/admin/apply", {
      method: "POST",
      headers: { "content-type": "application/json", "x-pilotlog-admin": ADMIN },
      body: '{"fileName": "d.yaml", "text": ',
    });
    expect(body.message).toMatch(/^Problems parsing JSON: /);
  });

  it("answers an unsupported media type with 415 naming the one the route takes", async () => {
    const body = await fetchEntry("unsupported_media_type", "/_pilotlog/admin/apply", {
      method: "POST",
      headers: { "content-type": "text/plain", "x-pilotlog-admin": ADMIN },
      body: "users: []",
    });
    expect(body.message).toContain("application/json");
  });

  it("answers a bad directory file with 422 and every issue, and a bad admin body with Validation Failed", async () => {
    const admin = { "content-type": "application/json", "x-pilotlog-admin": ADMIN };
    const file = await fetchEntry("directory_file_invalid", "/_pilotlog/admin/apply", {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ fileName: "d.yaml", text: "users: 7\n" }),
    });
    expect(Array.isArray(file.issues) && file.issues.length > 0).toBe(true);
    const fields = await fetchEntry("validation_failed", "/_pilotlog/admin/apply", {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ fileName: 1 }),
    });
    expect(fields.errors).toBeInstanceOf(Array);
    await fetchEntry("process_request_invalid", "/_pilotlog/admin/process", {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ day: "2026-11-20" }),
    });
  });

  it("answers a malformed URL with 400 from the catalogue, not the framework's body", async () => {
    const a = await raw(url, "GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const body = expectEntry("malformed_request", {
      status: a.status,
      code: a.headers.get("x-pilotlog-error-code"),
      type: a.headers.get("content-type"),
      body: a.body,
    });
    expect(body.message).toMatch(/^Bad request: /);
  });

  it("answers 417 for an Expect other than 100-continue, 431 for oversized headers, and serves the next request", async () => {
    const expectation = await raw(
      url,
      "GET /orgs/x/copilot/metrics HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n",
    );
    const e = expectEntry("expectation_failed", {
      status: expectation.status,
      code: expectation.headers.get("x-pilotlog-error-code"),
      type: expectation.headers.get("content-type"),
      body: expectation.body,
    });
    expect(e.message).toContain('"Expect: 200-ok"');

    const big = await raw(url, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(17 * 1024)}\r\n\r\n`);
    expect(big.headers.get("connection")).toBe("close");
    const b = expectEntry("headers_too_large", {
      status: big.status,
      code: big.headers.get("x-pilotlog-error-code"),
      type: big.headers.get("content-type"),
      body: big.body,
    });
    expect(b.message).toContain("16384 bytes");
    expect(Number(big.headers.get("content-length"))).toBe(Buffer.byteLength(big.body));
    expect((await fetch(`${url}/orgs/x/copilot/metrics`)).status).toBe(401);
  });

  it("answers 408 when the headers do not arrive within the limit, naming it, and closes the connection", async () => {
    // The request line and one header, then nothing: the server's headers timeout ends it.
    const slow = await raw(url, "GET /orgs/x/copilot/metrics HTTP/1.1\r\nHost: x\r\n", false);
    expect(slow.headers.get("connection")).toBe("close");
    const body = expectEntry("request_timeout", {
      status: slow.status,
      code: slow.headers.get("x-pilotlog-error-code"),
      type: slow.headers.get("content-type"),
      body: slow.body,
    });
    expect(body.message).toBe("Request not received within 0.6 seconds");
  });

  it("answers the OTLP routes from the same entries, in OTLP's own error body", async () => {
    const res = await fetch(`${url}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("x-pilotlog-error-code")).toBe("PL_ERR_REQUIRES_AUTHENTICATION");
    const status = (await res.json()) as { code: number; message: string };
    expect(status.code).toBe(16); // google.rpc UNAUTHENTICATED
    expect(status.message).toBe("Requires authentication");
  });
});

/**
 * Cross-site requests (issue 12): the sandbox and admin routes take only JSON and only from their own origin, so
 * no web page can wipe the store; the GitHub routes answer CORS as api.github.com does, so browser clients on
 * another origin can read them. Real HTTP, and a real Chromium page on another origin.
 */
import { existsSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/db/db.js";
import { applyDirectoryText } from "../src/directory/apply.js";
import { AnswerCache } from "../src/http/answer-cache.js";
import { buildApp } from "../src/http/app.js";
import { ManualClock } from "../src/util/clock.js";
import { backends } from "./helpers/db.js";
import { assertErrorBody } from "./helpers/schema.js";

const CHROMIUM = "/usr/bin/chromium";
const NOW = "2026-11-20T12:00:00Z";
const ADMIN = "admin-secret-for-cross-site";
const DIRECTORY = `
organizations:
  - login: xs-org
    owners: [boss]
    members: [m1, m2, m3, m4, m5]
    seats: [m1, m2, m3, m4, m5]
tokens:
  - { token: tok_boss, kind: classic, user: boss, scopes: [read:org] }
`;
const EXPOSED =
  "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset";

/** A raw HTTP request, so that Host and Origin can be anything (fetch forbids setting Host). */
function raw(
  url: string,
  method: string,
  headers: Record<string, string>,
  body = "",
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        text += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const backend = backends[0]!;
describe("cross-site requests", () => {
  let db: Db;
  let drop: () => Promise<void>;
  let url: string;
  let close: () => Promise<void>;
  const clock = new ManualClock(new Date(NOW));
  const users = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM users"))[0]!.n;

  beforeAll(async () => {
    ({ db, drop } = await backend.create());
    await applyDirectoryText(db, DIRECTORY, "xs.yaml", { today: "2026-11-20", windowDays: 28 });
    const app = buildApp({
      db,
      clock,
      windowDays: 28,
      answers: new AnswerCache(),
      adminToken: ADMIN,
      sandbox: { setNow: (now) => clock.set(now) },
    });
    url = await app.listen({ port: 0, host: "127.0.0.1" });
    close = () => app.close();
  });
  afterAll(async () => {
    await close?.();
    await drop?.();
  });

  it("refuses a text/plain or form POST to /_pilotlog/reset (no preflight needed) with 415, and keeps the store", async () => {
    const before = await users();
    expect(before).toBe(6);
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      const res = await fetch(`${url}/_pilotlog/reset`, {
        method: "POST",
        headers: { "content-type": type },
        body: "{}",
      });
      expect(res.status).toBe(415);
      const body = (await res.json()) as { message: string };
      assertErrorBody(body);
      expect(body.message).toContain("application/json");
    }
    const none = await raw(`${url}/_pilotlog/reset`, "POST", {});
    expect(none.status).toBe(415);
    expect(await users()).toBe(before);
  });

  it("refuses JSON from another origin with 403 naming it, on sandbox and admin routes alike", async () => {
    const evil = { "content-type": "application/json", origin: "http://evil.example" };
    const reset = await fetch(`${url}/_pilotlog/reset`, { method: "POST", headers: evil, body: "{}" });
    expect(reset.status).toBe(403);
    const body = (await reset.json()) as { message: string };
    assertErrorBody(body);
    expect(body.message).toContain('Origin "http://evil.example" is not this server\'s own');
    const clockMove = await fetch(`${url}/_pilotlog/clock`, {
      method: "POST",
      headers: { ...evil, origin: "null" },
      body: JSON.stringify({ now: "2030-01-01T00:00:00Z" }),
    });
    expect(clockMove.status).toBe(403);
    expect(clock.now().toISOString()).toBe("2026-11-20T12:00:00.000Z");
    const admin = await fetch(`${url}/_pilotlog/admin/tokens/list`, {
      method: "POST",
      headers: { ...evil, "x-pilotlog-admin": ADMIN },
      body: "{}",
    });
    expect(admin.status).toBe(403);
    const adminText = await fetch(`${url}/_pilotlog/admin/tokens/list`, {
      method: "POST",
      headers: { "content-type": "text/plain", "x-pilotlog-admin": ADMIN },
      body: "{}",
    });
    expect(adminText.status).toBe(415);
    // Without the secret the admin routes stay a 404, whatever else is wrong.
    const noSecret = await fetch(`${url}/_pilotlog/admin/tokens/list`, {
      method: "POST",
      headers: evil,
      body: "{}",
    });
    expect(noSecret.status).toBe(404);
    expect(await users()).toBe(6);
  });

  it("refuses a page whose domain was re-pointed at this server (DNS rebinding): Host and Origin agree but name no address", async () => {
    const port = new URL(url).port;
    const res = await raw(
      `${url}/_pilotlog/reset`,
      "POST",
      {
        host: `rebind.example:${port}`,
        origin: `http://rebind.example:${port}`,
        "content-type": "application/json",
      },
      "{}",
    );
    expect(res.status).toBe(403);
    expect(await users()).toBe(6);
  });

  it("serves its own origin and tools that send no Origin, and answers local routes without CORS", async () => {
    const port = new URL(url).port;
    const own = await fetch(`${url}/_pilotlog/clock`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", origin: `http://127.0.0.1:${port}` },
      body: JSON.stringify({ now: "2026-11-20T13:00:00Z" }),
    });
    expect(own.status).toBe(200);
    expect(own.headers.get("access-control-allow-origin")).toBeNull();
    const local = await raw(
      `${url}/_pilotlog/clock`,
      "POST",
      { host: `localhost:${port}`, origin: `http://localhost:${port}`, "content-type": "application/json" },
      JSON.stringify({ now: "2026-11-20T12:00:00Z" }),
    );
    expect(local.status).toBe(200);
    const tool = await fetch(`${url}/_pilotlog/admin/tokens/list`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-pilotlog-admin": ADMIN },
      body: "{}",
    });
    expect(tool.status).toBe(200);
    expect(tool.headers.get("access-control-allow-origin")).toBeNull();
    expect(tool.headers.get("access-control-expose-headers")).toBeNull();
    const preflight = await fetch(`${url}/_pilotlog/reset`, {
      method: "OPTIONS",
      headers: { origin: "http://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(404);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers the GitHub routes with api.github.com's CORS headers, and preflights with 204", async () => {
    for (const path of ["/orgs/xs-org/copilot/metrics", "/api/v3/orgs/xs-org/copilot/metrics", "/user"]) {
      const get = await fetch(`${url}${path}`, {
        headers: { authorization: "token tok_boss", origin: "https://dash.example" },
      });
      expect(get.status).toBe(200);
      expect(get.headers.get("access-control-allow-origin")).toBe("*");
      expect(get.headers.get("access-control-expose-headers")).toBe(EXPOSED);
      const denied = await fetch(`${url}${path}`, { headers: { origin: "https://dash.example" } });
      expect(denied.status).toBe(401);
      expect(denied.headers.get("access-control-allow-origin")).toBe("*");

      const pre = await fetch(`${url}${path}`, {
        method: "OPTIONS",
        headers: {
          origin: "https://dash.example",
          "access-control-request-method": "GET",
          "access-control-request-headers": "authorization, x-github-api-version",
        },
      });
      expect(pre.status).toBe(204);
      expect(await pre.text()).toBe("");
      expect(pre.headers.get("access-control-allow-origin")).toBe("*");
      expect(pre.headers.get("access-control-allow-methods")).toBe("GET, POST, PATCH, PUT, DELETE");
      expect(pre.headers.get("access-control-allow-headers")).toContain("Authorization");
      expect(pre.headers.get("access-control-allow-headers")).toContain("X-GitHub-Api-Version");
      expect(pre.headers.get("access-control-allow-headers")).toContain("If-None-Match");
      expect(pre.headers.get("access-control-max-age")).toBe("86400");
      expect(pre.headers.get("access-control-expose-headers")).toBe(EXPOSED);
    }
  });

  describe.skipIf(!existsSync(CHROMIUM))("in Chromium, from a page on another origin", () => {
    it("reads the metrics with a token and the exposed headers, and cannot reset the sandbox", async () => {
      // The page's own server, on another origin (another host name and port).
      const page: Server = createServer((_req, res) => {
        res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>other origin</title>");
      });
      await new Promise<void>((r) => page.listen(0, "127.0.0.1", r));
      const pageUrl = `http://localhost:${(page.address() as AddressInfo).port}/`;
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
      try {
        const tab = await browser.newPage();
        await tab.goto(pageUrl);
        const result = await tab.evaluate(async (api) => {
          const read = await fetch(`${api}/orgs/xs-org/copilot/metrics`, {
            headers: { Authorization: "token tok_boss", "X-GitHub-Api-Version": "2022-11-28" },
          });
          const out: Record<string, unknown> = {
            status: read.status,
            etag: read.headers.get("etag"),
            requestId: read.headers.get("x-github-request-id"),
            body: await read.text(),
          };
          // A "simple" cross-site POST needs no preflight: the browser sends it, the server must refuse it.
          await fetch(`${api}/_pilotlog/reset`, { method: "POST", mode: "no-cors", body: "{}" });
          try {
            await fetch(`${api}/_pilotlog/reset`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: "{}",
            });
            out.jsonReset = "sent";
          } catch (err) {
            out.jsonReset = (err as Error).name;
          }
          return out;
        }, url);
        expect(result.status).toBe(200);
        expect(result.body).toBe("[]");
        expect(result.etag).toMatch(/^W\/"[0-9a-f]{64}"$/);
        expect(result.requestId).toMatch(/^[0-9A-F]{4}:/);
        expect(result.jsonReset).toBe("TypeError"); // the preflight finds no CORS: the request is never sent
        expect(await users()).toBe(6);
      } finally {
        await browser.close();
        await new Promise<void>((r) => page.close(() => r()));
      }
    });
  });
});

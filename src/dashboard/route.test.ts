import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import Fastify from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import { ManualClock } from "../util/clock.js";
import { DASHBOARD_CSP, registerDashboard } from "./route.js";

describe("dashboard route", () => {
  const dir = mkdtempSync(join(tmpdir(), "pilotlog-web-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ctx = { clock: new ManualClock(new Date("2026-11-20T12:00:00Z")), windowDays: 28 };
  const app = () => {
    const a = Fastify();
    registerDashboard(a, ctx, [join(dir, "web")]);
    return a;
  };

  it("says to run npm run build when the web build is missing", async () => {
    const res = await app().inject("/");
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain("npm run build");
  });

  it("serves index.html with the server's day and window, a strict CSP, and hashed assets cached for a year", async () => {
    mkdirSync(join(dir, "web", "assets"), { recursive: true });
    writeFileSync(join(dir, "web", "index.html"), "<html><head><title>x</title></head><body></body></html>");
    const js = `console.log(${JSON.stringify("x".repeat(4000))});`;
    writeFileSync(join(dir, "web", "assets", "index-abc123.js"), js);
    const a = app();

    const page = await a.inject("/");
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.headers["content-security-policy"]).toBe(DASHBOARD_CSP);
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(page.body).toContain('<meta name="pilotlog:today" content="2026-11-20" />');
    expect(page.body).toContain('<meta name="pilotlog:window-days" content="28" />');

    const asset = await a.inject({ url: "/assets/index-abc123.js", headers: { "accept-encoding": "gzip" } });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(asset.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(asset.rawPayload).toString()).toBe(js);
    expect((await a.inject("/assets/index-abc123.js")).body).toBe(js);
    expect((await a.inject("/assets/nope.js")).statusCode).toBe(404);
    expect((await a.inject("/assets/..%2Findex.html")).statusCode).toBe(404);
  });
});

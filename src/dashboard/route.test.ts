import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
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

  it("sends the .br or .gz made beside each asset as Accept-Encoding prefers, honours q=0, and never the .gz itself", async () => {
    const a = app();
    await a.ready();
    const js = readFileSync(join(dir, "web", "assets", "index-abc123.js"), "utf8");
    // Made once, beside the asset, when the build had none (npm run build makes them itself).
    expect(existsSync(join(dir, "web", "assets", "index-abc123.js.gz"))).toBe(true);
    expect(existsSync(join(dir, "web", "assets", "index-abc123.js.br"))).toBe(true);
    const get = (acceptEncoding?: string) =>
      a.inject({
        url: "/assets/index-abc123.js",
        headers: acceptEncoding === undefined ? {} : { "accept-encoding": acceptEncoding },
      });

    const br = await get("gzip, deflate, br");
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.headers["content-type"]).toMatch(/^(text|application)\/javascript/);
    expect(br.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(js);

    const gz = await get("gzip;q=1, br;q=0");
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gz.rawPayload).toString()).toBe(js);

    for (const refused of ["gzip;q=0", "gzip;q=0, br;q=0", "identity", ""]) {
      const plain = await get(refused);
      expect(plain.headers["content-encoding"], refused).toBeUndefined();
      expect(plain.body, refused).toBe(js);
    }
    expect((await a.inject("/assets/index-abc123.js.gz")).statusCode).toBe(404);
    expect((await a.inject("/assets/index-abc123.js.br")).statusCode).toBe(404);
    const head = await a.inject({ method: "HEAD", url: "/assets/index-abc123.js" });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe("");
    await a.close();
  });

  it("reads index.html once, and again after a new build replaces it", async () => {
    const a = app();
    const first = await a.inject("/");
    expect(first.body).toContain("<title>x</title>");
    writeFileSync(join(dir, "web", "index.html"), "<html><head><title>y</title></head><body></body></html>");
    // The folder's watcher drops the page read before; wait for it (no time is asserted).
    let body = first.body;
    for (let i = 0; i < 200 && !body.includes("<title>y</title>"); i++) {
      await new Promise((r) => setTimeout(r, 25));
      body = (await a.inject("/")).body;
    }
    expect(body).toContain("<title>y</title>");
    expect(body).toContain('<meta name="pilotlog:window-days" content="28" />');
    await a.close();
  });

  it("takes the same build folder named twice (compiled, both default places are dist/web)", async () => {
    const a = Fastify();
    registerDashboard(a, ctx, [join(dir, "web"), join(dir, "x", "..", "web")]);
    expect((await a.inject("/assets/index-abc123.js")).statusCode).toBe(200);
    await a.close();
  });
});

import { get as httpGet, type IncomingHttpHeaders } from "node:http";
import { Writable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyDirectoryText } from "../src/directory/apply.js";
import { AnswerCache } from "../src/http/answer-cache.js";
import { buildApp } from "../src/http/app.js";
import { ManualClock } from "../src/util/clock.js";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";
import { assertErrorBody } from "./helpers/schema.js";

const WORLD = `
organizations:
  - { login: org, owners: [oo] }
tokens:
  - { token: tok_owner, kind: classic, user: oo, scopes: [read:org] }
  - { token: tok_other, kind: classic, user: oo, scopes: [read:org] }
  - { token: tok_octokit, kind: classic, user: oo, scopes: [read:org] }
`;
const O = "/orgs/org/copilot/metrics";

for (const backend of backends) {
  describe(`GitHub conventions on ${backend.name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, "2026-11-20T12:00:00Z", 28, 3);
      await h.apply(WORLD);
    });
    afterAll(() => h?.close());

    it("serves API versions 2022-11-28 and 2026-03-10 and refuses others with 400", async () => {
      expect((await h.get(O, "tok_other")).headers.get("x-github-api-version-selected")).toBe("2022-11-28");
      const v2 = await h.get(O, "tok_other", { "x-github-api-version": "2026-03-10" });
      expect(v2.headers.get("x-github-api-version-selected")).toBe("2026-03-10");
      const bad = await h.get(O, "tok_other", { "x-github-api-version": "2021-01-01" });
      expect(bad.status).toBe(400);
      const body = (await bad.json()) as { message: string };
      assertErrorBody(body);
      expect(body.message).toContain("2021-01-01");
    });

    it("counts requests per token with x-ratelimit-* headers, does not count 304s, and answers 403 when spent", async () => {
      const first = await h.get(O, "tok_owner");
      expect(first.headers.get("x-ratelimit-limit")).toBe("3");
      expect(first.headers.get("x-ratelimit-remaining")).toBe("2");
      expect(first.headers.get("x-ratelimit-used")).toBe("1");
      expect(first.headers.get("x-ratelimit-resource")).toBe("core");
      expect(Number(first.headers.get("x-ratelimit-reset"))).toBe(Date.parse("2026-11-20T13:00:00Z") / 1000);
      const cached = await h.get(O, "tok_owner", { "if-none-match": first.headers.get("etag")! });
      expect(cached.status).toBe(304);
      expect(cached.headers.get("x-ratelimit-remaining")).toBe("2");
      await h.get(O, "tok_owner");
      await h.get(O, "tok_owner");
      const spent = await h.get(O, "tok_owner");
      expect(spent.status).toBe(403);
      expect(spent.headers.get("x-ratelimit-remaining")).toBe("0");
      expect(Number(spent.headers.get("retry-after"))).toBeGreaterThan(0);
      const body = (await spent.json()) as { message: string };
      assertErrorBody(body);
      expect(body.message).toContain("API rate limit exceeded");
      h.clock.set("2026-11-20T13:00:01Z");
      expect((await h.get(O, "tok_owner")).status).toBe(200);
      h.clock.set("2026-11-20T12:00:00Z");
    });

    it("answers unknown routes and wrong methods with GitHub's 404 body", async () => {
      for (const res of [
        await h.get("/nope"),
        await fetch(`${h.url}${O}`, { method: "DELETE" }),
        await h.get("/api/v3/orgs/org/copilot"),
      ]) {
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({
          message: "Not Found",
          documentation_url: "https://docs.github.com/rest",
          status: "404",
        });
      }
    });

    it("surfaces 304 and 422 through octokit as RequestErrors", async () => {
      const octokit = new Octokit({
        baseUrl: h.url,
        auth: "tok_octokit",
        log: { debug() {}, info() {}, warn() {}, error() {} },
      });
      const first = await octokit.rest.copilot.copilotMetricsForOrganization({ org: "org" });
      await expect(
        octokit.rest.copilot.copilotMetricsForOrganization({
          org: "org",
          headers: { "if-none-match": first.headers.etag },
        }),
      ).rejects.toMatchObject({ name: "HttpError", status: 304 });
      await expect(
        octokit.rest.copilot.copilotMetricsForOrganization({ org: "org", until: "nope" }),
      ).rejects.toMatchObject({
        name: "HttpError",
        status: 422,
        response: { data: { message: "Validation Failed", errors: [{ field: "until", code: "invalid" }] } },
      });
    });
  });
}

for (const backend of backends) {
  describe(`serving caches on ${backend.name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, "2026-11-20T12:00:00Z");
      await h.apply(WORLD);
    });
    afterAll(() => h?.close());

    it("serves a directory change on the next request, despite the serving caches", async () => {
      expect((await h.get(O, "tok_other")).status).toBe(200);
      await h.apply(
        WORLD.replace(
          "{ login: org, owners: [oo] }",
          "{ login: org, owners: [oo], copilot_metrics_policy: disabled }",
        ),
      );
      expect((await h.get(O, "tok_other")).status).toBe(422);
      await h.apply(
        WORLD.replace(
          "scopes: [read:org] }\n  - { token: tok_octokit",
          "scopes: [repo] }\n  - { token: tok_octokit",
        ),
      );
      expect((await h.get(O, "tok_other")).status).toBe(403);
      await h.apply(WORLD);
      expect((await h.get(O, "tok_other")).status).toBe(200);
    });
  });
}

const BUSY = `
organizations:
  - login: busy
    owners: [bo]
    members: [u1, u2, u3, u4, u5]
    seats: [u1, u2, u3, u4, u5]
tokens:
  - { token: tok_busy, kind: classic, user: bo, scopes: [read:org] }
  - { token: tok_relay, kind: ingest }
`;

/** A raw GET (node:http, which never decompresses), so the bytes on the wire are what is checked. */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on("error", reject);
  });
}

for (const backend of backends) {
  describe(`compression on ${backend.name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, "2026-11-20T12:00:00Z");
      await h.apply(BUSY);
      const events = [];
      for (const day of ["2026-11-17", "2026-11-18", "2026-11-19"])
        for (let u = 1; u <= 5; u++)
          for (const language of ["python", "go", "rust"])
            events.push({
              id: `${day}-${u}-${language}`,
              type: "completion.suggested",
              user: `u${u}`,
              timestamp: `${day}T10:00:00Z`,
              editor: "vscode",
              language,
              lines: 3,
            });
      expect((await h.send("tok_relay", events)).status).toBe(202);
      await h.process();
    });
    afterAll(() => h?.close());

    it("gzips a metrics answer for clients that accept it, with the same ETag and the same JSON", async () => {
      const url = `${h.url}/orgs/busy/copilot/metrics`;
      const plain = await rawGet(url, { authorization: "token tok_busy" });
      const zipped = await rawGet(url, {
        authorization: "token tok_busy",
        "accept-encoding": "gzip, deflate, br",
      });
      const refused = await rawGet(url, { authorization: "token tok_busy", "accept-encoding": "gzip;q=0" });
      expect(plain.headers["content-encoding"]).toBeUndefined();
      expect(refused.headers["content-encoding"]).toBeUndefined();
      expect(zipped.headers["content-encoding"]).toBe("gzip");
      expect(zipped.headers.vary).toContain("Accept-Encoding");
      expect(zipped.headers.etag).toBe(plain.headers.etag);
      expect((JSON.parse(plain.body.toString()) as unknown[]).length).toBe(3);
      expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
      expect(zipped.body.length).toBeLessThan(plain.body.length / 3);
      // octokit (through fetch) asks for gzip and gets the same documents.
      const octokit = new Octokit({ auth: "tok_busy", baseUrl: h.url });
      const viaOctokit = await octokit.request("GET /orgs/{org}/copilot/metrics", { org: "busy" });
      expect(viaOctokit.data).toEqual(JSON.parse(plain.body.toString()));
    });
  });
}

describe("request ids", () => {
  it("puts the X-GitHub-Request-Id of each answer in that request's log lines", async () => {
    const { db, drop } = await backends[0]!.create();
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const clock = new ManualClock(new Date("2026-11-20T12:00:00Z"));
    await applyDirectoryText(db, WORLD, "w.yaml", { today: "2026-11-20", windowDays: 28 });
    const app = buildApp(
      { db, clock, windowDays: 28, answers: new AnswerCache() },
      { logger: { level: "info", stream } },
    );
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    const res = await fetch(`${url}${O}`, { headers: { authorization: "Bearer tok_owner" } });
    const id = res.headers.get("x-github-request-id")!;
    await app.close();
    await drop();
    const mine = lines.filter((l) => l.includes(id));
    expect(mine.length).toBeGreaterThanOrEqual(2); // "incoming request" and "request completed"
    expect(lines.join("")).not.toContain("tok_owner");
  });
});

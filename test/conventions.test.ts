import { Writable } from "node:stream";
import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnswerCache } from "../src/api/answer-cache.js";
import { buildApp } from "../src/api/app.js";
import { applyDirectoryText } from "../src/directory/apply.js";
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

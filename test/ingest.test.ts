import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";
import { assertErrorBody } from "./helpers/schema.js";

const DIRECTORY = `
organizations:
  - login: org
    members: [mona, hubot]
    teams: [{ slug: t, members: [mona] }]
users:
  - { login: hubot, telemetry: false }
tokens:
  - { token: tok_relay, kind: ingest }
  - { token: tok_mona, user: mona, kind: classic, scopes: [] }
  - { token: tok_app_inst, kind: app_installation, resource_owner: org, permissions: { copilot_business: read } }
`;

const at = "2026-11-20T09:00:00Z";

for (const backend of backends) {
  describe(`POST /telemetry/v1/events on ${backend.name}`, () => {
    let h: Harness;
    const post = async (
      token: string | null,
      body: string | Buffer,
      headers: Record<string, string> = { "content-type": "application/x-ndjson" },
    ) => {
      const res = await fetch(`${h.url}/telemetry/v1/events`, {
        method: "POST",
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        body,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const facts = async () =>
      (await h.db.query<{ n: number }>("SELECT coalesce(sum(n1 + n2), 0)::int AS n FROM facts"))[0]!.n;

    beforeAll(async () => {
      h = await startHarness(backend, "2026-11-20T12:00:00Z");
      await h.apply(DIRECTORY);
    });
    afterAll(() => h?.close());

    it("accepts valid lines, rejects invalid ones with index, id and message, and has committed before answering", async () => {
      const lines = [
        JSON.stringify({ id: "i1", type: "activity", user: "mona", timestamp: at }),
        "not json",
        JSON.stringify({ id: "i2", type: "completion.show", user: "mona", timestamp: at }),
        "",
        JSON.stringify({ id: "i3", type: "activity", timestamp: at }),
        JSON.stringify({ id: "i4", type: "activity", user: "hubot", timestamp: at }),
      ].join("\n");
      const before = await facts();
      const res = await post("tok_relay", lines);
      expect(res).toEqual({
        status: 202,
        body: {
          accepted: 1,
          duplicates: 0,
          dropped: 1,
          rejected: [
            { index: 1, message: expect.stringContaining("not valid JSON") },
            { index: 2, id: "i2", message: expect.stringContaining('unknown event type "completion.show"') },
            {
              index: 4,
              id: "i3",
              message: expect.stringContaining('"user" is required with an ingest token'),
            },
          ],
        },
      });
      expect(await facts()).toBe(before + 1);
    });

    it("attributes a user token's events to its user and refuses events of others", async () => {
      const res = await post(
        "tok_mona",
        JSON.stringify([
          { id: "m1", type: "activity", timestamp: at },
          { id: "m2", type: "activity", user: "MONA", timestamp: at },
          { id: "m3", type: "activity", user: "hubot", timestamp: at },
        ]),
        { "content-type": "application/json" },
      );
      expect(res.body).toMatchObject({
        accepted: 2,
        rejected: [{ index: 2, id: "m3", message: expect.stringContaining('names user "hubot"') }],
      });
    });

    it("counts a retried batch as duplicates, also within one request, and takes gzip", async () => {
      const body = `${JSON.stringify({ id: "g1", type: "activity", user: "mona", timestamp: at })}\n${JSON.stringify({ id: "g1", type: "activity", user: "mona", timestamp: at })}\n`;
      const first = await post("tok_relay", gzipSync(body), {
        "content-type": "application/x-ndjson",
        "content-encoding": "gzip",
      });
      expect(first.body).toMatchObject({ accepted: 1, duplicates: 1 });
      const retry = await post("tok_relay", gzipSync(body), {
        "content-type": "application/x-ndjson",
        "content-encoding": "gzip",
      });
      expect(retry.body).toMatchObject({ accepted: 0, duplicates: 2 });
    });

    it("answers 401, 403, 400 and 413 with GitHub's error body", async () => {
      const ev = JSON.stringify({ id: "z", type: "activity", user: "mona", timestamp: at });
      const cases: [string | null, string | Buffer, Record<string, string>, number, string][] = [
        [null, ev, { "content-type": "application/x-ndjson" }, 401, "Requires authentication"],
        ["nope", ev, { "content-type": "application/x-ndjson" }, 401, "Bad credentials"],
        ["tok_app_inst", ev, { "content-type": "application/x-ndjson" }, 403, "may not send telemetry"],
        ["tok_relay", ev, { "content-type": "text/plain" }, 400, "is not accepted"],
        ["tok_relay", "", { "content-type": "application/x-ndjson" }, 400, "empty body"],
        [
          "tok_relay",
          `${ev}\n`.repeat(10_001),
          { "content-type": "application/x-ndjson" },
          413,
          "more than 10000 events",
        ],
        [
          "tok_relay",
          Buffer.alloc(11 * 1024 * 1024, 0x20),
          { "content-type": "application/x-ndjson" },
          413,
          "larger than",
        ],
      ];
      for (const [token, body, headers, status, message] of cases) {
        const res = await post(token, body, headers);
        expect([res.status, res.body.message]).toEqual([status, expect.stringContaining(message)]);
        assertErrorBody(res.body);
      }
    });
  });
}

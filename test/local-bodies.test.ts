/**
 * Bodies of the admin and sandbox routes are validated against a schema (issue 12): every malformed body is a 400
 * (not JSON) or a 422 whose message names the field, never a 500, and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/db/db.js";
import { AnswerCache } from "../src/http/answer-cache.js";
import { buildApp } from "../src/http/app.js";
import { ManualClock } from "../src/util/clock.js";
import { backends } from "./helpers/db.js";
import { assertErrorBody } from "./helpers/schema.js";

const ADMIN = "admin-secret-for-bodies";
const NOW = "2026-11-20T12:00:00Z";

/** [route, body as sent, status, text the message must contain] */
const BAD: [string, string, number, string][] = [
  ["/_pilotlog/admin/tokens/create", "{}", 422, '"kind" is required'],
  ["/_pilotlog/admin/tokens/create", '{"kind":5}', 422, '"kind" must be string'],
  ["/_pilotlog/admin/tokens/create", '{"kind":"root"}', 422, '"kind" must be one of "classic", "oauth"'],
  [
    "/_pilotlog/admin/tokens/create",
    '{"kind":"classic","user":"boss","scopes":"read:org"}',
    422,
    '"scopes" must be array',
  ],
  [
    "/_pilotlog/admin/tokens/create",
    '{"kind":"classic","user":"boss","scopes":[1]}',
    422,
    '"scopes[0]" must be string',
  ],
  ["/_pilotlog/admin/tokens/create", '{"kind":"classic","user":7}', 422, '"user" must be string or null'],
  [
    "/_pilotlog/admin/tokens/create",
    '{"kind":"fine_grained","user":"boss","resourceOwner":"o","permissions":{"copilot_business":"admin"}}',
    422,
    '"permissions.copilot_business" must be one of "read", "write"',
  ],
  [
    "/_pilotlog/admin/tokens/create",
    '{"kind":"ingest","permissions":[]}',
    422,
    '"permissions" must be object',
  ],
  [
    "/_pilotlog/admin/tokens/create",
    '{"kind":"ingest","expiresAt":20270101}',
    422,
    '"expiresAt" must be string or null',
  ],
  [
    "/_pilotlog/admin/tokens/create",
    '{"kind":"ingest","secret":"x"}',
    422,
    '"secret" is not a field of this request',
  ],
  ["/_pilotlog/admin/tokens/create", "[]", 422, '"body" must be object'],
  ["/_pilotlog/admin/tokens/create", "null", 422, '"body" must be object'],
  ["/_pilotlog/admin/tokens/create", '{"kind": "classic"', 400, "Problems parsing JSON"],
  ["/_pilotlog/admin/tokens/revoke", "{}", 422, '"id" is required'],
  ["/_pilotlog/admin/tokens/revoke", '{"id":12}', 422, '"id" must be string'],
  ["/_pilotlog/admin/tokens/list", '{"all":true}', 422, '"all" is not a field of this request'],
  ["/_pilotlog/admin/apply", '{"text":"users: []"}', 422, '"fileName" is required'],
  ["/_pilotlog/admin/apply", '{"fileName":"a.yaml","text":5}', 422, '"text" must be string'],
  ["/_pilotlog/admin/process", '{"day":20261119}', 422, '"day" must be string'],
  ["/_pilotlog/admin/sync-state", '{"scopes":[]}', 422, '"api" is required'],
  [
    "/_pilotlog/admin/sync-mark",
    '{"api":"x","rows":[{"scope":"org:a","day":"2026-11-19","records":-1,"teamRows":0}]}',
    422,
    '"rows[0].records" must be >= 0',
  ],
  ["/_pilotlog/clock", "{}", 422, '"now" is required'],
  ["/_pilotlog/clock", '{"now":1700000000}', 422, '"now" must be string'],
  ["/_pilotlog/clock", '"2026-11-21T00:00:00Z"', 422, '"body" must be object'],
  ["/_pilotlog/reset", '{"confirm":true}', 422, '"confirm" is not a field of this request'],
];

const backend = backends[0]!;
describe("bodies of the admin and sandbox routes", () => {
  let db: Db;
  let drop: () => Promise<void>;
  let url: string;
  let close: () => Promise<void>;
  const clock = new ManualClock(new Date(NOW));
  const post = (path: string, body: string) =>
    fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-pilotlog-admin": ADMIN },
      body,
    });
  const tokens = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM tokens"))[0]!.n;

  beforeAll(async () => {
    ({ db, drop } = await backend.create());
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

  it("answers each malformed body with a 400 or a 422 naming the field, and changes nothing", async () => {
    const outcomes: string[] = [];
    for (const [path, body, status, text] of BAD) {
      const res = await post(path, body);
      const answer = (await res.json()) as { message: string; errors?: { field: string; code: string }[] };
      assertErrorBody(answer);
      outcomes.push(`${path} ${body} → ${res.status} ${answer.message}`);
      expect(`${path} ${body} → ${res.status}`).toBe(`${path} ${body} → ${status}`);
      expect(answer.message, `${path} ${body}`).toContain(text);
      if (status === 422 && answer.errors) expect(answer.errors[0]!.field).not.toBe("");
    }
    expect(outcomes).toHaveLength(BAD.length);
    expect(await tokens()).toBe(0);
    expect(clock.now().toISOString()).toBe("2026-11-20T12:00:00.000Z");
  });

  it("creates a token from a body without scopes (they default to none) instead of a 500", async () => {
    const res = await post("/_pilotlog/admin/tokens/create", '{"kind":"ingest","label":"relay"}');
    expect(res.status).toBe(200);
    expect((await res.json()) as { secret: string }).toMatchObject({ secret: expect.any(String) });
    // `token create` names only users the directory knows (issue 12): boss must exist first.
    await db.query("INSERT INTO users (login, login_lower) VALUES ('boss', 'boss') ON CONFLICT DO NOTHING");
    const classic = await post("/_pilotlog/admin/tokens/create", '{"kind":"classic","user":"boss"}');
    expect(classic.status).toBe(200);
    expect(await tokens()).toBe(2);
  });

  it("still takes what the CLI sends, an empty body as {}, and an RFC 3339 clock", async () => {
    expect((await post("/_pilotlog/admin/tokens/list", "{}")).status).toBe(200);
    expect((await post("/_pilotlog/admin/process", "")).status).toBe(200);
    const moved = await post("/_pilotlog/clock", '{"now":"2026-11-21T00:10:00Z"}');
    expect(await moved.json()).toEqual({ now: "2026-11-21T00:10:00.000Z" });
    const bad = await post("/_pilotlog/clock", '{"now":"tomorrow"}');
    expect(bad.status).toBe(422);
  });
});

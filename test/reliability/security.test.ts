/**
 * Security guarantees (issue 5, RELIABILITY.md): the temporary 403 after repeated bad credentials, secrets stored
 * only as hashes, security headers on API answers and on the dashboard, and no secret or request body in any
 * log line of a server run at the most verbose level.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/db.js";
import { applyDirectoryText } from "../../src/directory/apply.js";
import { AnswerCache } from "../../src/http/answer-cache.js";
import { buildApp } from "../../src/http/app.js";
import { AuthThrottle } from "../../src/http/auth-throttle.js";
import { ManualClock } from "../../src/util/clock.js";
import { backends } from "../helpers/db.js";
import { cli, serve, stop, targets } from "../helpers/process.js";
import { assertErrorBody } from "../helpers/schema.js";

const NOW = "2026-11-20T12:00:00Z";
const SECRETS = ["pl_sec_owner_7f3a9c2e", "pl_sec_relay_b81d44aa", "ghp_sec_member_0c9e1f"];
const DIRECTORY = `
organizations:
  - login: sec-org
    owners: [boss]
    members: [m1, m2, m3, m4, m5]
    seats: [m1, m2, m3, m4, m5]
tokens:
  - { token: ${SECRETS[0]}, kind: classic, user: boss, scopes: [read:org] }
  - { token: ${SECRETS[1]}, kind: ingest }
  - { token: ${SECRETS[2]}, kind: classic, user: m1, scopes: [read:org] }
`;
const BODY_MARKER = "BODYMARKER-do-not-log-91c2";

const backend = backends[0]!;
describe("repeated bad credentials", () => {
  let db: Db;
  let drop: () => Promise<void>;
  const clock = new ManualClock(new Date(NOW));
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await backend.create());
    await applyDirectoryText(db, DIRECTORY, "sec.yaml", { today: "2026-11-20", windowDays: 28 });
    const app = buildApp({
      db,
      clock,
      windowDays: 28,
      answers: new AnswerCache(),
      authThrottle: new AuthThrottle(clock),
    });
    url = await app.listen({ port: 0, host: "127.0.0.1" });
    close = () => app.close();
  });
  afterAll(async () => {
    await close?.();
    await drop?.();
  });

  const get = (token?: string) =>
    fetch(
      `${url}/orgs/sec-org/copilot/metrics`,
      token ? { headers: { authorization: `token ${token}` } } : {},
    );

  it("locks out bad credentials with GitHub's 403 after 20 failures, and keeps serving valid tokens, the relay's included", async () => {
    for (let i = 0; i < 20; i++) expect((await get(`wrong-${i}`)).status).toBe(401);
    const locked = await get("wrong-21");
    expect(locked.status).toBe(403);
    expect(Number(locked.headers.get("retry-after"))).toBe(300);
    const body = (await locked.json()) as { message: string };
    assertErrorBody(body);
    expect(body.message).toBe("Maximum number of login attempts exceeded. Please try again later.");
    // A valid token from the same address is served: reads and the ingest relay.
    expect((await get(SECRETS[0])).status).toBe(200);
    const relay = await fetch(`${url}/telemetry/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRETS[1]}`, "content-type": "application/x-ndjson" },
      body: JSON.stringify({
        id: "lockout-1",
        type: "activity",
        user: "m1",
        timestamp: "2026-11-20T10:00:00Z",
      }),
    });
    expect(relay.status).toBe(202);
    expect(((await relay.json()) as { accepted: number }).accepted).toBe(1);
    const badRelay = await fetch(`${url}/telemetry/v1/events`, {
      method: "POST",
      headers: { authorization: "Bearer pl_guess", "content-type": "application/x-ndjson" },
      body: "{}",
    });
    expect(badRelay.status).toBe(403);
    expect((await get()).status).toBe(401); // no credentials: nothing to lock
    clock.set(new Date(Date.parse(NOW) + 5 * 60_000));
    expect((await get("wrong-22")).status).toBe(401);
    expect((await get(SECRETS[0])).status).toBe(200);
  });
});

for (const target of targets) {
  describe(`secrets and logs on ${target.name}`, () => {
    it("stores token secrets only as hashes and never writes a secret or a request body to the log", async () => {
      const ctx = await target.create();
      try {
        const file = join(ctx.args[1] ?? "/tmp", `sec-${process.pid}.yaml`);
        writeFileSync(file, DIRECTORY);
        const server = await serve([...ctx.args, "--log-level", "trace"], ctx.env, NOW);
        let adminToken = "";
        try {
          await cli(["apply", file, ...ctx.args, "--now", NOW], ctx.env);
          if (target.name === "pglite")
            adminToken = (
              JSON.parse(readFileSync(join(ctx.args[1]!, "pilotlog.lock"), "utf8")) as { adminToken: string }
            ).adminToken;
          const events = ["m1", "m2", "m3", "m4", "m5"]
            .map((u, i) =>
              JSON.stringify({
                id: `${BODY_MARKER}-${i}`,
                type: "activity",
                user: u,
                timestamp: "2026-11-19T10:00:00Z",
                feature: BODY_MARKER,
              }),
            )
            .join("\n");
          const ingest = await fetch(`${server.url}/telemetry/v1/events`, {
            method: "POST",
            headers: { authorization: `Bearer ${SECRETS[1]}`, "content-type": "application/x-ndjson" },
            body: events,
          });
          expect(ingest.status).toBe(202);
          const bad = await fetch(`${server.url}/telemetry/v1/events`, {
            method: "POST",
            headers: { authorization: `Bearer ${SECRETS[1]}`, "content-type": "application/x-ndjson" },
            body: `{"id": "${BODY_MARKER}", "type": broken`,
          });
          expect(bad.status).toBe(400);
          for (const token of [SECRETS[0], SECRETS[2], "pl_sec_unknown_55aa"]) {
            await fetch(`${server.url}/orgs/sec-org/copilot/metrics`, {
              headers: { authorization: `Bearer ${token}` },
            });
          }
          await cli(["process", ...ctx.args, "--now", NOW], ctx.env);
          const read = await fetch(`${server.url}/orgs/sec-org/copilot/metrics`, {
            headers: { authorization: `token ${SECRETS[0]}` },
          });
          expect(read.status).toBe(200);
        } finally {
          expect(await stop(server.child)).toBe(0);
        }
        const log = server.output();
        expect(log.split("\n").length).toBeGreaterThan(10); // trace level: it did log requests
        const lines = log.split("\n");
        for (const s of [...SECRETS, "pl_sec_unknown_55aa", BODY_MARKER, ...(adminToken ? [adminToken] : [])])
          expect(lines.filter((l) => l.includes(s))).toEqual([]);
        // Headers are never logged (the startup banner shows a placeholder, not a log line).
        expect(lines.filter((l) => l.startsWith("{") && /authorization/i.test(l))).toEqual([]);

        // At rest: only hashes. No column of the tokens table holds a secret.
        const { openDatabase } = await import("../../src/db/open.js");
        const opened = await openDatabase({
          databaseUrl: ctx.env.DATABASE_URL || null,
          dataDir: ctx.args[1] ?? "",
          command: "test",
        });
        try {
          const rows = await opened.db.query("SELECT * FROM tokens");
          expect(rows.length).toBe(3);
          const stored = JSON.stringify(rows);
          for (const s of SECRETS) expect(stored).not.toContain(s);
        } finally {
          await opened.close();
        }
      } finally {
        await ctx.cleanup();
      }
    }, 90_000);

    it.runIf(target.name === "pglite")(
      "sends security headers on API answers and on the dashboard",
      async () => {
        const ctx = await target.create();
        const server = await serve(ctx.args, ctx.env, NOW);
        try {
          const api = await fetch(`${server.url}/orgs/sec-org/copilot/metrics`);
          expect(api.headers.get("x-content-type-options")).toBe("nosniff");
          expect(api.headers.get("x-frame-options")).toBe("deny");
          expect(api.headers.get("content-security-policy")).toBe("default-src 'none'");
          expect(api.headers.get("referrer-policy")).toContain("strict-origin-when-cross-origin");
          const page = await fetch(`${server.url}/`);
          expect(page.status).toBe(200);
          expect(page.headers.get("x-content-type-options")).toBe("nosniff");
          expect(page.headers.get("x-frame-options")).toBe("deny");
          expect(page.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
          expect(page.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
        } finally {
          await stop(server.child);
          await ctx.cleanup();
        }
      },
    );
  });
}

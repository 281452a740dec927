/**
 * Graceful shutdown and data folder errors (issue 5, RELIABILITY.md): SIGTERM stops accepting, finishes the
 * request in flight (its events committed), closes the database and exits 0 within the documented bound; a
 * half-initialised PGlite folder gives an error that says what to do.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, serve, stop, targets } from "../helpers/process.js";

const NOW = "2026-11-20T12:00:00Z";
const DAY = "2026-11-19";
const USERS = ["s1", "s2", "s3", "s4", "s5"];
const DIRECTORY = `
organizations:
  - login: stop-org
    owners: [boss]
    members: [${USERS.join(", ")}]
    seats: [${USERS.join(", ")}]
tokens:
  - { token: pl_stop_owner, kind: classic, user: boss, scopes: [read:org] }
  - { token: pl_stop_relay, kind: ingest }
`;
const EVENTS = 5000;
const body = Array.from({ length: EVENTS }, (_, i) =>
  JSON.stringify({
    id: `stop-${i}`,
    type: "completion.suggested",
    user: USERS[i % USERS.length],
    timestamp: `${DAY}T10:00:00Z`,
    editor: "vscode",
    language: "go",
    lines: 1,
  }),
).join("\n");

/** POSTs the body in two halves with a pause between, so the request is surely in flight meanwhile. */
function slowPost(url: string, pause: () => Promise<void>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/telemetry/v1/events`, {
      method: "POST",
      headers: {
        authorization: "Bearer pl_stop_relay",
        "content-type": "application/x-ndjson",
        "content-length": Buffer.byteLength(body),
      },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, text }));
    });
    req.on("error", reject);
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    void pause().then(() => req.end(body.slice(half)));
  });
}

for (const target of targets) {
  describe(`graceful shutdown on ${target.name}`, () => {
    it("SIGTERM finishes the request in flight, commits, refuses new connections and exits 0", async () => {
      const ctx = await target.create();
      try {
        const file = join(tmpdir(), `stop-directory-${process.pid}-${target.name}.yaml`);
        writeFileSync(file, DIRECTORY);
        await cli(["apply", file, ...ctx.args, "--now", NOW], ctx.env);
        const server = await serve(ctx.args, ctx.env, NOW);
        // serve() waited for /readyz: the request below is surely routed.
        let signalledAt = 0;
        const exited = new Promise<number | null>((r) => server.child.once("exit", (code) => r(code)));
        const answer = await slowPost(server.url, async () => {
          await new Promise((r) => setTimeout(r, 200));
          signalledAt = Date.now();
          server.child.kill("SIGTERM");
          await new Promise((r) => setTimeout(r, 200));
          // A new connection while shutting down is refused (or told 503), never half-served.
          const late = await fetch(`${server.url}/orgs/stop-org/copilot/metrics`).catch(() => null);
          expect(late === null || late.status === 503).toBe(true);
          // Readiness says so too, for a load balancer to stop sending traffic here.
          const ready = await fetch(`${server.url}/readyz`).catch(() => null);
          expect(ready === null || ready.status === 503).toBe(true);
        });
        expect(answer.status, answer.text).toBe(202);
        expect(JSON.parse(answer.text)).toMatchObject({ accepted: EVENTS });
        expect(await exited).toBe(0);
        const tookMs = Date.now() - signalledAt;
        console.log(
          `[shutdown ${target.name}] exited 0 ${tookMs} ms after SIGTERM, request in flight answered 202`,
        );
        // How long it took is printed, not asserted (a loaded machine is slower; times belong in bench/): the
        // behaviour is that it exits 0 having answered and committed the request in flight.
        expect(server.output()).toMatch(/pilotlog stopped \(SIGTERM\)/);

        // The acknowledged events were committed: they are all counted after a restart.
        await cli(["process", "--day", DAY, ...ctx.args, "--now", NOW], ctx.env);
        const again = await serve(ctx.args, ctx.env, NOW);
        try {
          const res = await fetch(`${again.url}/orgs/stop-org/copilot/metrics?since=${DAY}`, {
            headers: { authorization: "Bearer pl_stop_owner" },
          });
          const [doc] = (await res.json()) as {
            copilot_ide_code_completions: {
              editors: { models: { languages: { total_code_suggestions: number }[] }[] }[];
            };
          }[];
          expect(
            doc!.copilot_ide_code_completions.editors[0]!.models[0]!.languages[0]!.total_code_suggestions,
          ).toBe(EVENTS);
        } finally {
          expect(await stop(again.child)).toBe(0);
        }
      } finally {
        await ctx.cleanup();
      }
    }, 60_000);
  });
}

describe("a PGlite data folder that cannot be opened", () => {
  it("says what is wrong and what to do, changes nothing, and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pilotlog-half-"));
    try {
      mkdirSync(join(dir, "pgdata"));
      writeFileSync(join(dir, "pgdata", "PG_VERSION"), "17\n"); // a first start cut short after initdb began
      const err = (await cli(["serve", "--data", dir, "--port", "0"], {
        ...process.env,
        DATABASE_URL: "",
      }).catch((e: unknown) => e)) as { code: number; stderr: string };
      expect(err.code).toBe(1);
      expect(err.stderr).toMatch(
        /cannot be opened .*interrupted.*Move it away \(mv .*pgdata .*pgdata\.broken\)/s,
      );
      expect(err.stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

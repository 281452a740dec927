/**
 * Crash safety (issue 5, RELIABILITY.md): a client ingests continuously, retrying unacknowledged batches with the
 * same ids, while the server is killed with SIGKILL at random moments and restarted. Every event that got a 202
 * must be counted exactly once in the processed metrics.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../src/simulate/random.js";
import { cli, type Served, serve, stop, type Target, targets } from "../helpers/process.js";

const NOW = "2026-11-20T12:00:00Z";
const DAY = "2026-11-19";
const KILLS = 20;
const BATCH = 200;
const USERS = ["u1", "u2", "u3", "u4", "u5", "u6"];

const DIRECTORY = `
organizations:
  - login: crash-org
    owners: [boss]
    members: [${USERS.join(", ")}]
    seats: [${USERS.join(", ")}]
tokens:
  - { token: pl_crash_owner, kind: classic, user: boss, scopes: [read:org] }
  - { token: pl_crash_relay, kind: ingest }
`;

function batchBody(n: number): string {
  return Array.from({ length: BATCH }, (_, i) =>
    JSON.stringify({
      id: `crash-${n}-${i}`,
      type: "completion.suggested",
      user: USERS[i % USERS.length],
      timestamp: `${DAY}T10:00:00Z`,
      editor: "vscode",
      language: "go",
      lines: 1,
    }),
  ).join("\n");
}

/** Σ total_code_suggestions of the organization's day: each accepted event adds exactly one. */
async function suggestionsOn(url: string): Promise<number> {
  const res = await fetch(`${url}/orgs/crash-org/copilot/metrics?since=${DAY}&until=${DAY}`, {
    headers: { authorization: "Bearer pl_crash_owner" },
  });
  const days = (await res.json()) as {
    copilot_ide_code_completions: {
      editors: { models: { languages: { total_code_suggestions: number }[] }[] }[];
    };
  }[];
  let n = 0;
  for (const d of days)
    for (const e of d.copilot_ide_code_completions.editors)
      for (const m of e.models) for (const l of m.languages) n += l.total_code_suggestions;
  return n;
}

for (const target of targets) {
  describe(`crash safety on ${target.name}`, () => {
    let ctx: Awaited<ReturnType<Target["create"]>>;
    beforeAll(async () => {
      ctx = await target.create();
    });
    afterAll(() => ctx?.cleanup());

    it(`counts every acknowledged event exactly once across ${KILLS} kill -9s during ingestion`, async () => {
      const file = join(ctx.args[1] ?? "/tmp", `crash-directory-${process.pid}.yaml`);
      writeFileSync(file, DIRECTORY);
      await cli(["apply", file, ...ctx.args, "--now", NOW], ctx.env);

      let server: Served = await serve(ctx.args, ctx.env, NOW);
      let acked = 0;
      let retries = 0;
      let duplicatesReported = 0;
      let stopClient = false;
      const client = (async () => {
        for (let n = 0; !stopClient; n++) {
          const body = batchBody(n);
          // A real client: the same batch, with the same ids, until it is acknowledged.
          for (let attempt = 0; ; attempt++) {
            if (attempt > 0) {
              retries++;
              await new Promise((r) => setTimeout(r, 50));
            }
            const res = await fetch(`${server.url}/telemetry/v1/events`, {
              method: "POST",
              headers: { authorization: "Bearer pl_crash_relay", "content-type": "application/x-ndjson" },
              body,
            }).catch(() => null);
            if (res?.status !== 202) continue;
            const r = (await res.json().catch(() => null)) as { accepted: number; duplicates: number } | null;
            if (!r) continue; // killed while the answer was on its way: not acknowledged, so send again
            acked++;
            duplicatesReported += r.duplicates;
            expect(r.accepted + r.duplicates).toBe(BATCH);
            break;
          }
        }
      })();

      // Each kill comes while ingestion is going on: once the restarted server has acknowledged a batch, at a
      // random moment after that. Progress, not the clock, decides, so a loaded machine kills as often.
      const rng = new Rng(`crash-${target.name}`);
      for (let k = 0; k < KILLS; k++) {
        const seen = acked;
        while (acked === seen) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, rng.int(0, 300)));
        await stop(server.child, "SIGKILL");
        server = await serve(ctx.args, ctx.env, NOW);
      }
      stopClient = true;
      await client;
      expect(await stop(server.child)).toBe(0);

      await cli(["process", "--day", DAY, ...ctx.args, "--now", NOW], ctx.env);
      server = await serve(ctx.args, ctx.env, NOW);
      try {
        const counted = await suggestionsOn(server.url);
        console.log(
          `[crash ${target.name}] ${KILLS} kills, ${acked} batches (${acked * BATCH} events) acknowledged, ` +
            `${retries} retries, ${duplicatesReported} duplicates reported, ${counted} counted`,
        );
        // Every restart acknowledged at least one batch before its kill.
        expect(acked).toBeGreaterThanOrEqual(KILLS);
        expect(counted).toBe(acked * BATCH);
      } finally {
        await stop(server.child);
      }
    }, 600_000);
  });
}

/**
 * PostgreSQL drops the server's connections (issue 12, RELIABILITY.md): while `pilotlog serve` ingests under load
 * from retrying clients, every backend of its database is terminated again and again (`pg_terminate_backend`,
 * what an operator, a restart or a failover does). The process must stay up, answer only 202 or 503 (with
 * Retry-After and GitHub's body), carry on with new connections, and count every acknowledged event exactly once.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScratchDatabase } from "../../src/db/scratch.js";
import { Rng } from "../../src/simulate/random.js";
import { cli, type Served, serve, stop } from "../helpers/process.js";
import { assertErrorBody } from "../helpers/schema.js";

const NOW = "2026-11-20T12:00:00Z";
const DAY = "2026-11-19";
const CLIENTS = 4;
const BATCH = 100;
const TERMINATIONS = 25;
const USERS = ["t1", "t2", "t3", "t4", "t5", "t6"];

const DIRECTORY = `
organizations:
  - login: term-org
    owners: [boss]
    members: [${USERS.join(", ")}]
    seats: [${USERS.join(", ")}]
tokens:
  - { token: pl_term_owner, kind: classic, user: boss, scopes: [read:org] }
  - { token: pl_term_relay, kind: ingest }
`;

const batchBody = (client: number, n: number) =>
  Array.from({ length: BATCH }, (_, i) =>
    JSON.stringify({
      id: `term-${client}-${n}-${i}`,
      type: "completion.suggested",
      user: USERS[(n + i) % USERS.length],
      timestamp: `${DAY}T10:00:00Z`,
      editor: "vscode",
      language: "go",
      lines: 1,
    }),
  ).join("\n");

describe.runIf(process.env.DATABASE_URL)("PostgreSQL terminates the server's connections", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let env: NodeJS.ProcessEnv;
  let server: Served;
  let admin: pg.Client;

  beforeAll(async () => {
    scratch = await createScratchDatabase(process.env.DATABASE_URL!, "pilotlog_term");
    env = { ...process.env, DATABASE_URL: scratch.url };
    const file = join(tmpdir(), `term-directory-${process.pid}.yaml`);
    writeFileSync(file, DIRECTORY);
    await cli(["apply", file, "--now", NOW], env);
    server = await serve(["--log-level", "error"], env, NOW);
    admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    if (server) await stop(server.child);
    await admin?.end();
    await scratch?.drop();
  });

  it(`stays up and loses nothing acknowledged across ${TERMINATIONS} rounds of pg_terminate_backend`, async () => {
    const name = new URL(scratch.url).pathname.slice(1);
    const statuses = new Map<number, number>();
    let acked = 0;
    let stopClients = false;
    const unavailable: Response[] = [];

    const client = async (c: number) => {
      for (let n = 0; !stopClients; n++) {
        const body = batchBody(c, n);
        // A real client: the same batch, with the same ids, until it is acknowledged.
        for (let attempt = 0; ; attempt++) {
          // Bounded: a dead server (the bug) ends the run instead of hanging it.
          if (server.child.exitCode !== null || attempt > 500) return;
          const res = await fetch(`${server.url}/telemetry/v1/events`, {
            method: "POST",
            headers: { authorization: "Bearer pl_term_relay", "content-type": "application/x-ndjson" },
            body,
          }).catch(() => null);
          if (res) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res?.status === 202) {
            const r = (await res.json()) as { accepted: number; duplicates: number };
            expect(r.accepted + r.duplicates).toBe(BATCH);
            acked += BATCH;
            break;
          }
          if (res?.status === 503 && unavailable.length < 5) unavailable.push(res);
          else await res?.body?.cancel();
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));

    const rng = new Rng("terminate");
    let terminated = 0;
    for (let k = 0; k < TERMINATIONS; k++) {
      await new Promise((r) => setTimeout(r, rng.int(20, 150)));
      const rows = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [name],
      );
      terminated += rows.rowCount ?? 0;
    }
    stopClients = true;
    await Promise.all(clients);

    for (const res of unavailable) {
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      assertErrorBody(await res.json());
    }
    // The same process, never restarted, answers with new connections.
    expect(server.child.exitCode).toBeNull();
    expect(server.output()).not.toMatch(/Unhandled|uncaught/i);

    const store = new pg.Client({ connectionString: scratch.url });
    await store.connect();
    const stored = (await store.query("SELECT count(*)::int AS n FROM event_ids")).rows[0] as { n: number };
    await store.end();
    await cli(["process", "--day", DAY, "--now", NOW], env);
    const res = await fetch(`${server.url}/orgs/term-org/copilot/metrics?since=${DAY}&until=${DAY}`, {
      headers: { authorization: "Bearer pl_term_owner" },
    });
    expect(res.status).toBe(200);
    const days = (await res.json()) as {
      copilot_ide_code_completions: {
        editors: { models: { languages: { total_code_suggestions: number }[] }[] }[];
      };
    }[];
    let counted = 0;
    for (const d of days)
      for (const e of d.copilot_ide_code_completions.editors)
        for (const m of e.models) for (const l of m.languages) counted += l.total_code_suggestions;

    console.log(
      `[terminate] ${terminated} backends terminated in ${TERMINATIONS} rounds; answers ${JSON.stringify(
        Object.fromEntries(statuses),
      )}; ${acked} events acknowledged, ${stored.n} ids stored, ${counted} counted`,
    );
    expect([...statuses.keys()].every((s) => s === 202 || s === 503)).toBe(true);
    expect(terminated).toBeGreaterThan(TERMINATIONS);
    expect(acked).toBeGreaterThan(0);
    expect(stored.n).toBe(acked);
    expect(counted).toBe(acked);
  }, 180_000);
});

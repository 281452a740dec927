/**
 * Several servers, one PostgreSQL (README "Running in production"): three `pilotlog serve` processes started at
 * once on one fresh database migrate it once; every due day is processed by exactly one of them; a change made
 * through the database (apply, token revoke, processing) is seen by all three on their next request; and a
 * `kill -9` of one under ingestion load loses nothing acknowledged while the other two keep answering. A report
 * download link signed by one of them downloads from the others.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresDb } from "../src/db/postgres.js";
import { createScratchDatabase } from "../src/db/scratch.js";
import { cli, type Served, serve, stop } from "./helpers/process.js";

const NOW = "2026-11-20T12:00:00Z";
const DAYS = ["2026-11-17", "2026-11-18", "2026-11-19"];
const EXAMPLE = join(import.meta.dirname, "..", "examples", "directory.yaml");
const ORG = "pl_example_org_owner";
const ACTIVE = ["mona", "lisa", "ann", "octocat", "tom"];
const DEBUG = ["--log-level", "debug", "--reprocess-every", "0"];

/** Days each server's scheduler processed, from its debug log lines. */
function processedDays(s: Served): string[] {
  return s
    .output()
    .split("\n")
    .filter((l) => l.includes('"msg":"processed day"'))
    .map((l) => (JSON.parse(l) as { day: string }).day);
}

async function read(
  s: Served,
  path: string,
  token = ORG,
): Promise<{ status: number; etag: string | null; body: string }> {
  const res = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, etag: res.headers.get("etag"), body: await res.text() };
}

function events(prefix: string, days: string[], perUser = 2) {
  return days.flatMap((day) =>
    ACTIVE.flatMap((user) =>
      Array.from({ length: perUser }, (_, i) => ({
        id: `${prefix}-${day}-${user}-${i}`,
        type: "completion.suggested",
        user,
        timestamp: `${day}T10:00:00Z`,
        editor: "vscode",
        language: "go",
        lines: 1,
      })),
    ),
  );
}

async function post(s: Served, body: object[]): Promise<Response> {
  return fetch(`${s.url}/telemetry/v1/events`, {
    method: "POST",
    headers: { authorization: "Bearer pl_example_relay", "content-type": "application/x-ndjson" },
    body: body.map((e) => JSON.stringify(e)).join("\n"),
  });
}

/** Σ total_code_suggestions of the organization on `day`. */
async function suggestions(s: Served, day: string): Promise<number> {
  const r = await read(s, `/orgs/octo-org/copilot/metrics?since=${day}&until=${day}`);
  expect(r.status).toBe(200);
  let n = 0;
  for (const d of JSON.parse(r.body) as {
    copilot_ide_code_completions: {
      editors: { models: { languages: { total_code_suggestions: number }[] }[] }[];
    };
  }[])
    for (const e of d.copilot_ide_code_completions.editors)
      for (const m of e.models) for (const l of m.languages) n += l.total_code_suggestions;
  return n;
}

/** Waits until the three servers logged `n` processed days between them (then a moment more for extras). */
async function processedBy(three: Served[], n: number): Promise<string[]> {
  for (let waited = 0; waited < 60_000; waited += 100) {
    if (three.flatMap(processedDays).length >= n) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500));
  return three.flatMap(processedDays).sort();
}

const startThree = (env: NodeJS.ProcessEnv) => Promise.all([0, 1, 2].map(() => serve(DEBUG, env, NOW)));

describe.skipIf(!process.env.DATABASE_URL)("three servers on one PostgreSQL", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let env: NodeJS.ProcessEnv;
  let servers: Served[] = [];
  const file = join(tmpdir(), `multi-directory-${process.pid}.yaml`);
  beforeAll(async () => {
    scratch = await createScratchDatabase(process.env.DATABASE_URL!, "pilotlog_multi");
    env = { ...process.env, DATABASE_URL: scratch.url };
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => stop(s.child, "SIGKILL")));
    rmSync(file, { force: true });
    await scratch?.drop();
  });

  it("start at once on a fresh database, migrate it once and process each day once between them", async () => {
    servers = await startThree(env);
    const { stdout } = await cli(["token", "list"], env);
    expect(stdout).toMatch(/No tokens yet/);
    // 28 empty days of the window, each processed by exactly one of the three.
    const all = await processedBy(servers, 28);
    expect(all.length).toBe(28);
    expect(new Set(all).size).toBe(28);

    await cli(["apply", EXAMPLE, "--now", NOW], env);
    // Ingest through all three; the days were processed empty, so they are dirty now.
    for (const [i, s] of servers.entries()) {
      expect((await post(s, events(`first${i}`, DAYS))).status).toBe(202);
    }
    // Restarted together, every scheduler's first check takes the dirty days (late events; days the apply
    // changed): each is processed by exactly one server.
    await Promise.all(servers.map((s) => stop(s.child)));
    const db = await PostgresDb.open(scratch.url, { max: 1 });
    const dirty = (await db.query<{ day: string }>("SELECT day FROM dirty_days ORDER BY day")).map(
      (r) => r.day,
    );
    await db.close();
    expect(dirty).toEqual(expect.arrayContaining(DAYS));
    servers = await startThree(env);
    const redone = await processedBy(servers, dirty.length);
    expect(redone).toEqual(dirty);
    for (const s of servers)
      for (const day of DAYS) expect(await suggestions(s, day)).toBe(3 * 2 * ACTIVE.length);
  }, 120_000);

  it("see a change made through the database by any process on their next request", async () => {
    // Token: created, read through all three (cached), revoked: 401 everywhere on the next request.
    const created = await cli(
      ["token", "create", "--kind", "classic", "--user", "org-owner", "--scopes", "read:org", "--now", NOW],
      env,
    );
    const secret = /\n\s+(\S+)\n/.exec(created.stdout)![1]!;
    const id = /token (\S+)\. Its secret/.exec(created.stdout)![1]!;
    for (const s of servers)
      expect((await read(s, "/orgs/octo-org/copilot/metrics", secret)).status).toBe(200);
    await cli(["token", "revoke", id, "--now", NOW], env);
    for (const s of servers)
      expect((await read(s, "/orgs/octo-org/copilot/metrics", secret)).status).toBe(401);

    // Apply: octo-labs turns the metrics API on; 422 before, 200 after, on all three.
    for (const s of servers) expect((await read(s, "/orgs/octo-labs/copilot/metrics")).status).toBe(422);
    writeFileSync(
      file,
      readFileSync(EXAMPLE, "utf8").replace(
        /copilot_metrics_policy: disabled/,
        "copilot_metrics_policy: enabled",
      ),
    );
    await cli(["apply", file, "--now", NOW], env);
    for (const s of servers) expect((await read(s, "/orgs/octo-labs/copilot/metrics")).status).toBe(200);

    // Processing: late events through one server, processed by the command; all three serve the new day.
    const before = await Promise.all(servers.map((s) => read(s, "/orgs/octo-org/copilot/metrics")));
    expect((await post(servers[0]!, events("late", [DAYS[0]!], 1))).status).toBe(202);
    await cli(["process", "--now", NOW], env);
    const after = await Promise.all(servers.map((s) => read(s, "/orgs/octo-org/copilot/metrics")));
    for (const [i, a] of after.entries()) {
      expect(a.etag).not.toBe(before[i]!.etag);
      expect(a).toEqual(after[0]);
    }
    expect(await suggestions(servers[2]!, DAYS[0]!)).toBe(3 * 2 * ACTIVE.length + ACTIVE.length);
  }, 120_000);

  it("accept each other's signed report links: a link one signs downloads from the others, no credentials", async () => {
    const day = DAYS[2]!;
    const res = await fetch(
      `${servers[0]!.url}/orgs/octo-org/copilot/metrics/reports/users-1-day?day=${day}`,
      {
        headers: { authorization: `Bearer ${ORG}`, "x-github-api-version": "2026-03-10" },
      },
    );
    expect(res.status).toBe(200);
    const { download_links } = (await res.json()) as { download_links: string[] };
    expect(download_links.length).toBeGreaterThan(0);
    const bodies: string[] = [];
    for (const s of servers) {
      let text = "";
      for (const link of download_links) {
        const signed = new URL(link);
        const here = new URL(s.url);
        signed.host = here.host; // the same signed path and query, sent to another server
        const file = await fetch(signed);
        expect(file.status).toBe(200);
        text += await file.text();
      }
      bodies.push(text);
    }
    expect(bodies[1]).toBe(bodies[0]);
    expect(bodies[2]).toBe(bodies[0]);
    const records = bodies[0]!
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { user_login: string; day: string });
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) {
      expect(r.day).toBe(day);
      expect(ACTIVE).toContain(r.user_login);
    }
  });

  it("lose nothing acknowledged when one is killed with SIGKILL under ingestion load, and the others keep answering", async () => {
    const day = "2026-11-16";
    const victim = servers[1]!;
    const survivors = [servers[0]!, servers[2]!];
    let acked = 0;
    let survivorFailures = 0;
    let killed = false;
    const BATCH = 100;
    const client = async (c: number) => {
      for (let n = 0; n < 30; n++) {
        const body = Array.from({ length: BATCH }, (_, i) => ({
          id: `load-${c}-${n}-${i}`,
          type: "completion.suggested",
          user: ACTIVE[i % ACTIVE.length],
          timestamp: `${day}T10:00:00Z`,
          editor: "vscode",
          language: "go",
          lines: 1,
        }));
        // Round-robin over the three; an unacknowledged batch is sent again, with the same ids, to the next one.
        for (let attempt = 0; ; attempt++) {
          const s = servers[(c + n + attempt) % 3]!;
          const res = await post(s, body).catch(() => null);
          const ok = res?.status === 202 && (await res.json().catch(() => null)) !== null;
          if (ok) {
            acked++;
            break;
          }
          if (survivors.includes(s)) survivorFailures++;
          expect(attempt).toBeLessThan(5);
        }
        if (c === 0 && n === 10 && !killed) {
          killed = true;
          victim.child.kill("SIGKILL");
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(client));
    expect(killed).toBe(true);
    expect(survivorFailures).toBe(0);
    // The survivors still answer reads.
    for (const s of survivors) expect((await read(s, "/orgs/octo-org/copilot/metrics")).status).toBe(200);
    await cli(["process", "--day", day, "--now", NOW], env);
    const counted = await suggestions(survivors[0]!, day);
    console.log(
      `[multi-server] ${acked} batches (${acked * BATCH} events) acknowledged across a kill -9; ${counted} counted`,
    );
    expect(counted).toBe(acked * BATCH);
    expect(acked).toBe(4 * 30);
  }, 120_000);
});

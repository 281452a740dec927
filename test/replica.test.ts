/**
 * A read replica (README "Running in production"): with DATABASE_REPLICA_URL, stored day documents and companion
 * lists are read from a real streaming replica once it has caught up, and from the primary while it is behind,
 * so a paused replica never serves an answer older than what the primary already has. Writes go to the primary
 * (the replica would refuse them). The primary and replica are made by the test (test/helpers/pg-cluster.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";
import { applyDirectoryText } from "../src/directory/apply.js";
import { type RunningServer, startServer } from "../src/http/server.js";
import { runProcessing } from "../src/rollup/run.js";
import { ManualClock } from "../src/util/clock.js";
import { type Cluster, clusterUnavailable, startCluster } from "./helpers/pg-cluster.js";
import { Scrape } from "./helpers/prometheus.js";

const NOW = "2026-11-20T12:00:00Z";
const DAY = "2026-11-19";
const EXAMPLE = readFileSync(join(import.meta.dirname, "..", "examples", "directory.yaml"), "utf8");
const ORG = "pl_example_org_owner";
const ACTIVE = ["mona", "lisa", "ann", "octocat", "tom"];
const unavailable = clusterUnavailable();
if (unavailable) console.log(`[replica] skipped: ${unavailable}`);

async function get(s: RunningServer, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${ORG}` } });
  return { status: res.status, body: await res.text() };
}

async function servedBy(s: RunningServer): Promise<{ replica: number; primary: number }> {
  const scrape = new Scrape(await (await fetch(`${s.url}/metrics`)).text());
  return {
    replica: scrape.value("pilotlog_replica_reads_total", { served_by: "replica" }),
    primary: scrape.value("pilotlog_replica_reads_total", { served_by: "primary" }),
  };
}

async function ingest(s: RunningServer, ids: string[]): Promise<void> {
  const body = ids.map((id, i) =>
    JSON.stringify({
      id,
      type: "completion.suggested",
      user: ACTIVE[i % ACTIVE.length],
      timestamp: `${DAY}T10:00:00Z`,
      editor: "vscode",
      language: "go",
      lines: 1,
    }),
  );
  const res = await fetch(`${s.url}/telemetry/v1/events`, {
    method: "POST",
    headers: { authorization: "Bearer pl_example_relay", "content-type": "application/x-ndjson" },
    body: body.join("\n"),
  });
  expect(res.status).toBe(202);
}

const total = (body: string) =>
  (
    JSON.parse(body) as {
      copilot_ide_code_completions: {
        editors: { models: { languages: { total_code_suggestions: number }[] }[] }[];
      };
    }[]
  )
    .flatMap((d) => d.copilot_ide_code_completions.editors)
    .flatMap((e) => e.models)
    .flatMap((m) => m.languages)
    .reduce((n, l) => n + l.total_code_suggestions, 0);

describe.skipIf(unavailable !== null)("a streaming read replica", () => {
  let cluster: Cluster;
  let server: RunningServer;
  beforeAll(async () => {
    cluster = await startCluster("pilotlog");
    const config = loadConfig(
      { port: "0" },
      { DATABASE_URL: cluster.primaryUrl, DATABASE_REPLICA_URL: cluster.replicaUrl },
    );
    server = await startServer(config, new ManualClock(new Date(NOW)), {
      logger: false,
      startScheduler: false,
    });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await cluster?.stop();
  });

  it("serves from the replica once caught up, from the primary while it lags, never an older answer", async () => {
    await applyDirectoryText(server.opened.db, EXAMPLE, "directory.yaml", {
      today: "2026-11-20",
      windowDays: 28,
    });
    await ingest(
      server,
      ACTIVE.map((u) => `rep-${u}`),
    );
    await server.scheduler.tick();
    await cluster.caughtUp();

    const first = await get(server, `/orgs/octo-org/copilot/metrics?since=${DAY}`);
    expect(first.status).toBe(200);
    expect(total(first.body)).toBe(5);
    const members = await get(server, "/orgs/octo-org/teams/backend/members");
    expect(members.status).toBe(200);
    expect(await servedBy(server)).toEqual({ replica: 2, primary: 0 });

    // The replica stops replaying; the primary moves on (a late event processed, a member added).
    await cluster.onReplica("SELECT pg_wal_replay_pause()");
    await ingest(server, ["rep-late"]);
    await runProcessing(server.opened.db, new Date(NOW), { windowDays: 28 });
    await applyDirectoryText(
      server.opened.db,
      EXAMPLE.replace(
        "members: [mona, lisa, ann, octocat, tom]",
        "members: [mona, lisa, ann, octocat, tom, hubot]",
      ),
      "directory.yaml",
      { today: "2026-11-20", windowDays: 28 },
    );
    const behind = await get(server, `/orgs/octo-org/copilot/metrics?since=${DAY}`);
    expect(total(behind.body)).toBe(6);
    const newMembers = await get(server, "/orgs/octo-org/teams/backend/members");
    expect(newMembers.body).toContain('"login":"hubot"');
    const lagging = await servedBy(server);
    expect(lagging.primary).toBeGreaterThanOrEqual(2);
    expect(lagging.replica).toBe(2);
    // Replaying again: once caught up, the replica serves the same bytes the primary served.
    await cluster.onReplica("SELECT pg_wal_replay_resume()");
    await cluster.caughtUp();
    const again = await get(server, `/orgs/octo-org/copilot/metrics?since=${DAY}`);
    expect(again).toEqual(behind);
    expect(await get(server, "/orgs/octo-org/teams/backend/members")).toEqual(newMembers);
    const caughtUp = await servedBy(server);
    expect(caughtUp.replica).toBe(4);
    expect(caughtUp.primary).toBe(lagging.primary);

    // The replica goes away: reads it would have served come from the primary, never a 503.
    await cluster.stopReplica();
    const wider = await get(server, "/orgs/octo-org/copilot/metrics?since=2026-11-10");
    expect(wider.status).toBe(200);
    expect(total(wider.body)).toBe(6);
    expect((await servedBy(server)).primary).toBe(lagging.primary + 1);
  }, 120_000);
});

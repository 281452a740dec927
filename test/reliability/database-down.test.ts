/**
 * The database goes away (issue 5, RELIABILITY.md): PostgreSQL becomes unreachable under load (a real TCP proxy
 * in front of the real server cuts every connection and refuses new ones), then comes back. Ingestion answers
 * 503 with Retry-After, reads already served keep being served, others fail cleanly, and once the database is
 * back everything resumes without a restart and nothing acknowledged is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { createScratchDatabase } from "../../src/db/scratch.js";
import { applyDirectoryText } from "../../src/directory/apply.js";
import { type RunningServer, startServer } from "../../src/http/server.js";
import { runProcessing } from "../../src/rollup/run.js";
import { ManualClock } from "../../src/util/clock.js";
import { assertErrorBody, assertMetricsBody } from "../helpers/schema.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";

const NOW = "2026-11-20T12:00:00Z";
const USERS = ["d1", "d2", "d3", "d4", "d5"];
const DIRECTORY = `
organizations:
  - login: down-org
    owners: [boss]
    members: [${USERS.join(", ")}]
    seats: [${USERS.join(", ")}]
    teams:
      - { slug: all, members: [${USERS.join(", ")}] }
tokens:
  - { token: pl_down_owner, kind: classic, user: boss, scopes: [read:org] }
  - { token: pl_down_relay, kind: ingest }
`;

const events = (prefix: string, day: string) =>
  USERS.map((user, i) =>
    JSON.stringify({
      id: `${prefix}-${i}`,
      type: "completion.suggested",
      user,
      timestamp: `${day}T10:00:00Z`,
      editor: "vscode",
      language: "go",
      lines: 1,
    }),
  ).join("\n");

describe.runIf(process.env.DATABASE_URL)("PostgreSQL goes away and comes back", () => {
  let proxy: TcpProxy;
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let server: RunningServer;
  const clock = new ManualClock(new Date(NOW));

  beforeAll(async () => {
    scratch = await createScratchDatabase(process.env.DATABASE_URL!, "pilotlog_down");
    const target = new URL(scratch.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(scratch.url);
    viaProxy.port = String(proxy.port);
    const config = loadConfig(
      { port: "0", logLevel: "silent", rateLimit: "0" },
      { DATABASE_URL: viaProxy.toString() },
    );
    server = await startServer(config, clock, { startScheduler: false });
    await applyDirectoryText(server.opened.db, DIRECTORY, "down.yaml", {
      today: "2026-11-20",
      windowDays: 28,
    });
  });
  afterAll(async () => {
    proxy?.restore();
    await server?.close();
    await proxy?.close();
    await scratch?.drop();
  });

  const ingest = (body: string) =>
    fetch(`${server.url}/telemetry/v1/events`, {
      method: "POST",
      headers: { authorization: "Bearer pl_down_relay", "content-type": "application/x-ndjson" },
      body,
    });
  const read = (path: string) =>
    fetch(`${server.url}${path}`, { headers: { authorization: "Bearer pl_down_owner" } });

  it("answers 503 with Retry-After while it is away, serves what it already served, and resumes when it is back", async () => {
    expect((await ingest(events("before", "2026-11-18"))).status).toBe(202);
    await runProcessing(server.opened.db, clock.now(), { windowDays: 28 });
    const served = await read("/orgs/down-org/copilot/metrics");
    expect(served.status).toBe(200);
    const servedBody = await served.text();

    proxy.cut();
    // Under load: 20 ingestions and 20 reads at once.
    const during = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => ingest(events(`during-${i}`, "2026-11-19"))),
      ...Array.from({ length: 20 }, () => read("/orgs/down-org/copilot/metrics")),
    ]);
    for (const res of during.slice(0, 20)) {
      expect(res.status).toBe(503);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      const body = (await res.json()) as { message: string };
      assertErrorBody(body);
      expect(body.message).toMatch(/database is unavailable.*Retry/);
    }
    for (const res of during.slice(20)) {
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(servedBody);
    }
    const again = await read("/orgs/down-org/copilot/metrics");
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(servedBody);
    const never = await read("/orgs/down-org/team/all/copilot/metrics");
    expect(never.status).toBe(503);
    assertErrorBody(await never.json());

    proxy.restore();
    // No restart: the pool reconnects on the next request (the client retries as Retry-After says).
    let status = 0;
    for (let i = 0; i < 50 && status !== 202; i++) {
      status = (await ingest(events("during-0", "2026-11-19"))).status;
      if (status !== 202) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(202);
    await runProcessing(server.opened.db, clock.now(), { windowDays: 28 });
    const after = await read("/orgs/down-org/copilot/metrics");
    expect(after.status).toBe(200);
    const days = (await after.json()) as { date: string; total_active_users: number }[];
    assertMetricsBody(days);
    expect(days.map((d) => [d.date, d.total_active_users])).toEqual([
      ["2026-11-18", 5],
      ["2026-11-19", 5],
    ]);
    expect((await read("/orgs/down-org/team/all/copilot/metrics")).status).toBe(200);
  }, 60_000);
});

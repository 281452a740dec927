/**
 * The operator's routes (README "Running in production"): /healthz, /readyz and /metrics of a real
 * `startServer` on each database, scraped and read with a real parser of the Prometheus text format; counters
 * must move by exactly what the requests, ingestions and processing runs of the test make them move.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";
import { createScratchDatabase } from "../src/db/scratch.js";
import { applyDirectoryText } from "../src/directory/apply.js";
import { type RunningServer, startServer } from "../src/http/server.js";
import { ManualClock } from "../src/util/clock.js";
import { Scrape } from "./helpers/prometheus.js";

const NOW = "2026-11-20T12:00:00Z";
const DAY = "2026-11-19";
const USERS = ["m1", "m2", "m3", "m4", "m5"];
const DIRECTORY = `
organizations:
  - login: ops-org
    owners: [boss]
    members: [${USERS.join(", ")}, quiet]
    seats: [${USERS.join(", ")}]
users:
  - { login: quiet, telemetry: false }
tokens:
  - { token: pl_ops_owner, kind: classic, user: boss, scopes: [read:org] }
  - { token: pl_ops_relay, kind: ingest }
`;
const METRICS_TOKEN = "metrics-secret-0123456789";

interface Store {
  name: string;
  env: NodeJS.ProcessEnv;
  flags: Record<string, string>;
  cleanup(): Promise<void>;
}

const stores: (() => Promise<Store>)[] = [
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "pilotlog-ops-"));
    return {
      name: "pglite",
      env: {},
      flags: { data: dir },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  ...(process.env.DATABASE_URL
    ? [
        async () => {
          const scratch = await createScratchDatabase(process.env.DATABASE_URL!, "pilotlog_ops");
          return { name: "postgres", env: { DATABASE_URL: scratch.url }, flags: {}, cleanup: scratch.drop };
        },
      ]
    : []),
];

async function start(store: Store, extra: Record<string, string> = {}): Promise<RunningServer> {
  const config = loadConfig({ port: "0", ...store.flags, ...extra }, store.env);
  return startServer(config, new ManualClock(new Date(NOW)), { logger: false, startScheduler: false });
}

async function scrape(url: string, token?: string): Promise<Scrape> {
  const res = await fetch(`${url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return new Scrape(await res.text());
}

function event(id: string, user: string, extra: object = {}) {
  return {
    id,
    type: "completion.suggested",
    user,
    timestamp: `${DAY}T10:00:00Z`,
    editor: "vscode",
    language: "go",
    lines: 1,
    ...extra,
  };
}

async function ingest(url: string, events: object[]) {
  const res = await fetch(`${url}/telemetry/v1/events`, {
    method: "POST",
    headers: { authorization: "Bearer pl_ops_relay", "content-type": "application/x-ndjson" },
    body: events.map((e) => JSON.stringify(e)).join("\n"),
  });
  expect(res.status).toBe(202);
  return res.json();
}

for (const makeStore of stores) {
  describe("health and metrics", () => {
    let store: Store;
    let server: RunningServer;
    beforeAll(async () => {
      store = await makeStore();
      server = await start(store);
      await applyDirectoryText(server.opened.db, DIRECTORY, "ops.yaml", {
        today: "2026-11-20",
        windowDays: 28,
      });
    });
    afterAll(async () => {
      await server?.close();
      await store?.cleanup();
    });

    it(`/healthz and /readyz answer 200 with nothing but the status (${stores.length > 1 ? "each database" : "PGlite"})`, async () => {
      for (const [path, text] of [
        ["/healthz", "ok\n"],
        ["/readyz", "ready\n"],
      ] as const) {
        const res = await fetch(`${server.url}${path}`);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe(text);
        expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
        expect(res.headers.get("cache-control")).toBe("no-store");
        expect(res.headers.get("server")).toBeNull();
        expect(res.headers.get("x-powered-by")).toBeNull();
      }
    });

    it("counts requests by route pattern and status, events by outcome, processing runs, days pending and cache hits, exactly", async () => {
      const before = await scrape(server.url);
      const route = { route: "/orgs/:org/copilot/metrics", method: "GET", status: "200" };
      const unmatched = { route: "unmatched", method: "GET", status: "404" };
      expect(before.value("pilotlog_days_pending", { reason: "unprocessed" })).toBe(28);

      // 5 new events, 1 from a user with telemetry off (dropped), 1 invalid (rejected); then the same again.
      const batch = [
        ...USERS.map((u, i) => event(`ops-${i}`, u)),
        event("ops-quiet", "quiet"),
        event("ops-bad", USERS[0]!, { lines: -1 }),
      ];
      expect(await ingest(server.url, batch)).toMatchObject({ accepted: 5, duplicates: 0, dropped: 1 });
      expect(await ingest(server.url, batch)).toMatchObject({ accepted: 0, duplicates: 5, dropped: 1 });

      const processed = await server.scheduler.tick();
      expect(processed.length).toBe(28);

      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${server.url}/orgs/ops-org/copilot/metrics?since=${DAY}`, {
          headers: { authorization: "Bearer pl_ops_owner" },
        });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
      expect((await fetch(`${server.url}/orgs/ops-org/secret-${Date.now()}`)).status).toBe(404);

      const after = await scrape(server.url);
      const delta = (name: string, labels: Record<string, string>) =>
        after.value(name, labels) - before.value(name, labels);
      expect(delta("pilotlog_http_requests_total", route)).toBe(3);
      expect(after.count("pilotlog_http_request_duration_seconds", route)).toBe(3);
      expect(delta("pilotlog_http_requests_total", unmatched)).toBe(1);
      // The first /metrics scrape is counted by the second.
      expect(delta("pilotlog_http_requests_total", { route: "/metrics", method: "GET", status: "200" })).toBe(
        1,
      );
      expect(
        delta("pilotlog_http_requests_total", {
          route: "/telemetry/v1/events",
          method: "POST",
          status: "202",
        }),
      ).toBe(2);
      // Label values are route patterns: no raw URL ever becomes a series.
      expect(after.text).not.toMatch(/secret-|ops-org/);

      expect(delta("pilotlog_events_total", { source: "native", outcome: "accepted" })).toBe(5);
      expect(delta("pilotlog_events_total", { source: "native", outcome: "duplicate" })).toBe(5);
      expect(delta("pilotlog_events_total", { source: "native", outcome: "dropped" })).toBe(2);
      expect(delta("pilotlog_events_total", { source: "native", outcome: "rejected" })).toBe(2);

      expect(delta("pilotlog_processing_days_total", { trigger: "scheduler" })).toBe(28);
      expect(after.count("pilotlog_processing_day_duration_seconds", { trigger: "scheduler" })).toBe(28);
      expect(after.value("pilotlog_days_pending", { reason: "unprocessed" })).toBe(0);
      expect(after.value("pilotlog_days_pending", { reason: "dirty" })).toBe(0);

      // One answer assembled, then served twice from memory; the principal likewise.
      expect(delta("pilotlog_answer_cache_misses_total", { cache: "answer" })).toBe(1);
      expect(delta("pilotlog_answer_cache_hits_total", { cache: "answer" })).toBe(2);
      expect(delta("pilotlog_answer_cache_misses_total", { cache: "principal" })).toBe(1);
      expect(delta("pilotlog_answer_cache_hits_total", { cache: "principal" })).toBe(2);

      expect(after.family("pilotlog_process_cpu_user_seconds_total").type).toBe("COUNTER");
      expect(after.value("pilotlog_database_errors_total", { kind: "unavailable" })).toBe(0);
      if (server.opened.db.engine === "postgres") {
        expect(after.value("pilotlog_database_connections", { state: "total" })).toBeGreaterThan(0);
        expect(after.sample("pilotlog_database_connections", { state: "waiting" })).toBeDefined();
      }

      // A late event marks its closed day dirty.
      await ingest(server.url, [event("ops-late", USERS[1]!)]);
      expect((await scrape(server.url)).value("pilotlog_days_pending", { reason: "dirty" })).toBe(1);
    });

    it("/readyz is 503 when a migration is missing and while shutting down; /healthz stays 200", async () => {
      const db = server.opened.db;
      if (db.engine === "postgres") {
        await db.query("DELETE FROM schema_migrations WHERE name = '004_directory_generation.sql'");
        const res = await fetch(`${server.url}/readyz`);
        expect(res.status).toBe(503);
        expect(await res.text()).toBe("not ready\n");
        await db.query("INSERT INTO schema_migrations (name) VALUES ('004_directory_generation.sql')");
        expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      }
      server.app.inflight.closing = true;
      try {
        const ready = await fetch(`${server.url}/readyz`);
        expect(ready.status).toBe(503);
        expect(await ready.text()).toBe("not ready\n");
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
        // The GitHub routes get the shutdown 503 meanwhile.
        expect((await fetch(`${server.url}/orgs/ops-org/copilot/metrics`)).status).toBe(503);
      } finally {
        server.app.inflight.closing = false;
      }
    });

    it("probes are exempt from the bad-credentials lockout and the rate limit", async () => {
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${server.url}/orgs/ops-org/copilot/metrics`, {
          headers: { authorization: "Bearer pl_wrong", "x-forwarded-for": "1" },
        });
        expect(res.status).toBe(401);
      }
      // Locked out now: bad credentials get GitHub's 403 (a valid token is still served, issue 12).
      const locked = await fetch(`${server.url}/orgs/ops-org/copilot/metrics`, {
        headers: { authorization: "Bearer pl_wrong" },
      });
      expect(locked.status).toBe(403);
      for (const path of ["/healthz", "/readyz", "/metrics"]) {
        const res = await fetch(`${server.url}${path}`, {
          headers: { authorization: "Bearer pl_wrong" },
        });
        expect(res.status, path).toBe(200);
        expect(res.headers.get("x-ratelimit-remaining"), path).toBeNull();
      }
    });

    it("with --metrics-token, /metrics answers 401 without it or with another, 200 with it", async () => {
      const other = await makeStore();
      const guarded = await start(other, { metricsToken: METRICS_TOKEN });
      try {
        const none = await fetch(`${guarded.url}/metrics`);
        expect(none.status).toBe(401);
        expect(await none.json()).toMatchObject({ message: "Requires authentication" });
        const wrong = await fetch(`${guarded.url}/metrics`, { headers: { authorization: "Bearer nope" } });
        expect(wrong.status).toBe(401);
        expect(await wrong.json()).toMatchObject({ message: "Bad credentials" });
        const ok = await scrape(guarded.url, METRICS_TOKEN);
        // Its own registry: none of the first server's requests are counted here.
        expect(
          ok.value("pilotlog_http_requests_total", { route: "/orgs/:org/copilot/metrics", status: "200" }),
        ).toBe(0);
        expect((await fetch(`${guarded.url}/healthz`)).status).toBe(200);
      } finally {
        await guarded.close();
        await other.cleanup();
      }
    });
  });
}

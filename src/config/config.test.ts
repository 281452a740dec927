import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    expect(loadConfig({}, {})).toEqual({
      dataDir: ".pilotlog",
      databaseUrl: null,
      host: "127.0.0.1",
      port: 8080,
      now: null,
      windowDays: 28,
      processAtMinutes: 5,
      reprocessEveryMs: 15 * 60_000,
      logLevel: "info",
      rateLimit: 5000,
      metricsToken: null,
      databaseReplicaUrl: null,
      retentionDays: 365,
      reportLinkTtlMs: 3_600_000,
      reportFileRecords: 50_000,
    });
  });
  it("prefers flags over the environment", () => {
    const c = loadConfig(
      { port: "9000", now: "2026-11-20T12:00:00Z" },
      { PORT: "7000", PILOTLOG_NOW: "2020-01-01T00:00:00Z" },
    );
    expect(c.port).toBe(9000);
    expect(c.now?.toISOString()).toBe("2026-11-20T12:00:00.000Z");
  });
  it.each([
    [{ port: "http" }, {}, /--port \/ PORT must be a whole number/],
    [{}, { PILOTLOG_NOW: "tomorrow" }, /--now \/ PILOTLOG_NOW must be an ISO timestamp/],
    [{ windowDays: "0" }, {}, /--window-days/],
    [{ processAt: "25:00" }, {}, /HH:MM/],
    [{ reprocessEvery: "soon" }, {}, /duration/],
    [{}, { DATABASE_URL: "mysql://x" }, /PostgreSQL URL/],
    [{ logLevel: "loud" }, {}, /--log-level/],
    [{}, { DATABASE_REPLICA_URL: "postgres://r/db" }, /DATABASE_REPLICA_URL must be .* \(set both\)/],
    [{}, { PILOTLOG_METRICS_TOKEN: "short" }, /PILOTLOG_METRICS_TOKEN must be at least 16/],
    [{ windowDays: "400", retentionDays: "365" }, {}, /--retention-days .* must be at least --window-days/],
    [{ reportLinkTtl: "0" }, {}, /--report-link-ttl/],
    [{ reportFileRecords: "0" }, {}, /--report-file-records/],
  ])("refuses %j %j with a message naming the setting", (flags, env, message) => {
    expect(() => loadConfig(flags, env)).toThrow(ConfigError);
    expect(() => loadConfig(flags, env)).toThrow(message);
  });
});

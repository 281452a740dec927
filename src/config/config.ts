import { parseRfc3339 } from "../util/time.js";

/** Everything a pilotlog command is configured with, from flags first, then the environment, then defaults. */
export interface Config {
  dataDir: string;
  databaseUrl: string | null;
  host: string;
  port: number;
  /** The instant the clock starts at (`--now`), or null for the real time. */
  now: Date | null;
  /** W: days in the window that ends yesterday. */
  windowDays: number;
  /** UTC time of day when the previous day is processed, in minutes after midnight. */
  processAtMinutes: number;
  /** How often closed days that got late events or directory changes are reprocessed (0: only at processAt). */
  reprocessEveryMs: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Requests per token per hour on the GitHub routes; 0: unlimited. */
  rateLimit: number;
  /** A streaming replica of `databaseUrl` for reads that may lag (`DATABASE_REPLICA_URL`); null: none. */
  databaseReplicaUrl: string | null;
  /** Bearer token /metrics requires (`--metrics-token`); null: /metrics is open. */
  metricsToken: string | null;
  /** Days of usage-metrics reports kept (at least the window). */
  retentionDays: number;
  /** How long a report download link stays valid. */
  reportLinkTtlMs: number;
  /** Records per report file; a larger report is split into several files. */
  reportFileRecords: number;
}

/** Flags as commander hands them over (strings, unvalidated). */
export interface RawFlags {
  data?: string;
  port?: string;
  host?: string;
  now?: string;
  windowDays?: string;
  processAt?: string;
  reprocessEvery?: string;
  logLevel?: string;
  rateLimit?: string;
  metricsToken?: string;
  retentionDays?: string;
  reportLinkTtl?: string;
  reportFileRecords?: string;
}

export class ConfigError extends Error {}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

function pick(flag: string | undefined, env: string | undefined): string | undefined {
  return flag ?? (env === "" ? undefined : env);
}

function int(value: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(`${what} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return Number(value);
}

/** Parses a duration like `90s`, `15m`, `1h` or `0`. */
export function duration(value: string, what: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(value);
  if (!m)
    throw new ConfigError(
      `${what} must be a duration such as 30s, 15m or 1h (0 turns it off), got "${value}"`,
    );
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number(m[1]) * unit;
}

/** Builds the Config, throwing ConfigError with the flag or variable at fault and how to fix it. */
export function loadConfig(flags: RawFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const nowText = pick(flags.now, env.PILOTLOG_NOW);
  let now: Date | null = null;
  if (nowText !== undefined) {
    now =
      parseRfc3339(nowText) ??
      (/^\d{4}-\d{2}-\d{2}$/.test(nowText) ? parseRfc3339(`${nowText}T00:00:00Z`) : null);
    if (!now) {
      throw new ConfigError(
        `--now / PILOTLOG_NOW must be an ISO timestamp such as 2026-11-23T08:00:00Z, got "${nowText}"`,
      );
    }
  }
  const processAt = pick(flags.processAt, env.PILOTLOG_PROCESS_AT) ?? "00:05";
  const pa = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(processAt);
  if (!pa)
    throw new ConfigError(
      `--process-at / PILOTLOG_PROCESS_AT must be a UTC time HH:MM such as 00:05, got "${processAt}"`,
    );
  const logLevel = pick(flags.logLevel, env.LOG_LEVEL) ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(
      `--log-level / LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`,
    );
  }
  const databaseUrl = env.DATABASE_URL && env.DATABASE_URL !== "" ? env.DATABASE_URL : null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(
      "DATABASE_URL must be a PostgreSQL URL such as postgres://user@127.0.0.1:5432/pilotlog",
    );
  }
  const host = pick(flags.host, env.PILOTLOG_HOST) ?? "127.0.0.1";
  if (!/^[A-Za-z0-9.:_-]+$/.test(host))
    throw new ConfigError(`--host must be a host name or IP address, got "${host}"`);
  const databaseReplicaUrl =
    env.DATABASE_REPLICA_URL && env.DATABASE_REPLICA_URL !== "" ? env.DATABASE_REPLICA_URL : null;
  if (databaseReplicaUrl && (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseReplicaUrl))) {
    throw new ConfigError(
      "DATABASE_REPLICA_URL must be the PostgreSQL URL of a streaming replica of DATABASE_URL (set both), such as postgres://user@replica:5432/pilotlog",
    );
  }
  const metricsToken = pick(flags.metricsToken, env.PILOTLOG_METRICS_TOKEN) ?? null;
  if (metricsToken !== null && !/^[\x21-\x7e]{16,}$/.test(metricsToken)) {
    throw new ConfigError(
      "--metrics-token / PILOTLOG_METRICS_TOKEN must be at least 16 printable characters without spaces (e.g. the output of `openssl rand -hex 24`)",
    );
  }
  const windowDays = int(
    pick(flags.windowDays, env.PILOTLOG_WINDOW_DAYS) ?? "28",
    "--window-days / PILOTLOG_WINDOW_DAYS",
    1,
    3660,
  );
  const retentionText = pick(flags.retentionDays, env.PILOTLOG_RETENTION_DAYS);
  const retentionDays = int(
    retentionText ?? String(Math.max(365, windowDays)),
    "--retention-days / PILOTLOG_RETENTION_DAYS",
    1,
    36600,
  );
  if (retentionDays < windowDays)
    throw new ConfigError(
      `--retention-days / PILOTLOG_RETENTION_DAYS (${retentionDays}) must be at least --window-days (${windowDays}): reports keep at least the legacy window`,
    );
  const reportLinkTtlMs = duration(
    pick(flags.reportLinkTtl, env.PILOTLOG_REPORT_LINK_TTL) ?? "1h",
    "--report-link-ttl / PILOTLOG_REPORT_LINK_TTL",
  );
  if (reportLinkTtlMs < 1000 || reportLinkTtlMs > 7 * 86_400_000)
    throw new ConfigError(
      "--report-link-ttl / PILOTLOG_REPORT_LINK_TTL must be from 1s to 7 days (168h), such as 1h",
    );
  const reportFileRecords = int(
    pick(flags.reportFileRecords, env.PILOTLOG_REPORT_FILE_RECORDS) ?? "50000",
    "--report-file-records / PILOTLOG_REPORT_FILE_RECORDS",
    1,
    10_000_000,
  );
  return {
    databaseReplicaUrl,
    metricsToken,
    retentionDays,
    reportLinkTtlMs,
    reportFileRecords,
    dataDir: pick(flags.data, env.PILOTLOG_DATA) ?? ".pilotlog",
    databaseUrl,
    host,
    port: int(pick(flags.port, env.PORT) ?? "8080", "--port / PORT", 0, 65535),
    now,
    windowDays,
    processAtMinutes: Number(pa[1]) * 60 + Number(pa[2]),
    reprocessEveryMs: duration(
      pick(flags.reprocessEvery, env.PILOTLOG_REPROCESS_EVERY) ?? "15m",
      "--reprocess-every / PILOTLOG_REPROCESS_EVERY",
    ),
    logLevel: logLevel as Config["logLevel"],
    rateLimit: int(
      pick(flags.rateLimit, env.PILOTLOG_RATE_LIMIT) ?? "5000",
      "--rate-limit / PILOTLOG_RATE_LIMIT",
      0,
      1_000_000_000,
    ),
  };
}

import type { ValidateFunction } from "ajv";
import { type Static, Type } from "typebox";
import { compile, pointerParts } from "../schemas/ajv.js";
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
const POSTGRES_URL = "^postgres(ql)?://";
const DURATION = "^(\\d+)(ms|s|m|h)?$";
const WHOLE = "^\\d+$";

/**
 * The settings as text, once flags and environment are merged (flag first): the schema of what each may be. The
 * order is the order they are checked in, so a command names the first wrong one.
 */
const SettingsSchema = Type.Object({
  now: Type.Optional(Type.String({ format: "config-now" })),
  processAt: Type.String({ pattern: "^([01]\\d|2[0-3]):([0-5]\\d)$" }),
  logLevel: Type.Unsafe<Config["logLevel"]>({ type: "string", enum: [...LOG_LEVELS] }),
  databaseUrl: Type.Optional(Type.String({ pattern: POSTGRES_URL })),
  host: Type.String({ pattern: "^[A-Za-z0-9.:_-]+$" }),
  databaseReplicaUrl: Type.Optional(Type.String({ pattern: POSTGRES_URL })),
  metricsToken: Type.Optional(Type.String({ pattern: "^[\\x21-\\x7e]{16,}$" })),
  windowDays: Type.String({ pattern: WHOLE }),
  retentionDays: Type.Optional(Type.String({ pattern: WHOLE })),
  reportLinkTtl: Type.String({ pattern: DURATION }),
  reportFileRecords: Type.String({ pattern: WHOLE }),
  port: Type.String({ pattern: WHOLE }),
  reprocessEvery: Type.String({ pattern: DURATION }),
  rateLimit: Type.String({ pattern: WHOLE }),
});
type Settings = Static<typeof SettingsSchema>;

/** The ranges of the numeric settings, checked once they are numbers. */
const RangesSchema = Type.Object({
  windowDays: Type.Integer({ minimum: 1, maximum: 3660 }),
  retentionDays: Type.Integer({ minimum: 1, maximum: 36600 }),
  reportLinkTtlMs: Type.Integer({ minimum: 1000, maximum: 7 * 86_400_000 }),
  reportFileRecords: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  rateLimit: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
});

const checkSettings = compile(SettingsSchema);
const checkRanges = compile(RangesSchema);

const whole = (what: string, key: keyof typeof RangesSchema.properties) => (v: string) => {
  const { minimum, maximum } = RangesSchema.properties[key] as unknown as {
    minimum: number;
    maximum: number;
  };
  return `${what} must be a whole number from ${minimum} to ${maximum}, got "${v}"`;
};
const durationMessage = (what: string) => (v: string) =>
  `${what} must be a duration such as 30s, 15m or 1h (0 turns it off), got "${v}"`;

/** What to say when a setting does not fit the schema: the flag or variable, what it must be, what it was. */
const MESSAGES: Record<keyof Settings | keyof typeof RangesSchema.properties, (v: string) => string> = {
  now: (v) => `--now / PILOTLOG_NOW must be an ISO timestamp such as 2026-11-23T08:00:00Z, got "${v}"`,
  processAt: (v) => `--process-at / PILOTLOG_PROCESS_AT must be a UTC time HH:MM such as 00:05, got "${v}"`,
  logLevel: (v) => `--log-level / LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${v}"`,
  databaseUrl: () => "DATABASE_URL must be a PostgreSQL URL such as postgres://user@127.0.0.1:5432/pilotlog",
  host: (v) => `--host must be a host name or IP address, got "${v}"`,
  databaseReplicaUrl: () =>
    "DATABASE_REPLICA_URL must be the PostgreSQL URL of a streaming replica of DATABASE_URL (set both), such as postgres://user@replica:5432/pilotlog",
  metricsToken: () =>
    "--metrics-token / PILOTLOG_METRICS_TOKEN must be at least 16 printable characters without spaces (e.g. the output of `openssl rand -hex 24`)",
  windowDays: whole("--window-days / PILOTLOG_WINDOW_DAYS", "windowDays"),
  retentionDays: whole("--retention-days / PILOTLOG_RETENTION_DAYS", "retentionDays"),
  reportLinkTtl: durationMessage("--report-link-ttl / PILOTLOG_REPORT_LINK_TTL"),
  reportLinkTtlMs: () =>
    "--report-link-ttl / PILOTLOG_REPORT_LINK_TTL must be from 1s to 7 days (168h), such as 1h",
  reportFileRecords: whole("--report-file-records / PILOTLOG_REPORT_FILE_RECORDS", "reportFileRecords"),
  port: whole("--port / PORT", "port"),
  reprocessEvery: durationMessage("--reprocess-every / PILOTLOG_REPROCESS_EVERY"),
  rateLimit: whole("--rate-limit / PILOTLOG_RATE_LIMIT", "rateLimit"),
};

/** Throws the message of the first setting the validator refused. */
function refuseFirst(check: ValidateFunction, values: Record<string, unknown>): void {
  if (check(values)) return;
  const key = pointerParts(check.errors?.[0]?.instancePath ?? "")[0] as keyof typeof MESSAGES;
  throw new ConfigError(MESSAGES[key](String(values[key])));
}

function pick(flag: string | undefined, env: string | undefined): string | undefined {
  return flag ?? (env === "" ? undefined : env);
}

/**
 * A duration (`90s`, `15m`, `1h`, `0`) in milliseconds. Values the settings schema checked never throw; `what`
 * names the flag in the error for values checked here (the sync flags).
 */
export function duration(value: string, what = "duration"): number {
  const m = value.match(new RegExp(DURATION));
  if (!m)
    throw new ConfigError(
      `${what} must be a duration such as 30s, 15m or 1h (0 turns it off), got "${value}"`,
    );
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number(m[1]) * unit;
}

/** `--now` as the schema took it (format `config-now`). */
function parseNow(text: string): Date {
  return (parseRfc3339(text) ?? parseRfc3339(`${text}T00:00:00Z`))!;
}

/** Builds the Config, throwing ConfigError with the flag or variable at fault and how to fix it. */
export function loadConfig(flags: RawFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const nonEmpty = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);
  const settings = {
    now: pick(flags.now, env.PILOTLOG_NOW),
    processAt: pick(flags.processAt, env.PILOTLOG_PROCESS_AT) ?? "00:05",
    logLevel: pick(flags.logLevel, env.LOG_LEVEL) ?? "info",
    databaseUrl: nonEmpty(env.DATABASE_URL),
    host: pick(flags.host, env.PILOTLOG_HOST) ?? "127.0.0.1",
    databaseReplicaUrl: nonEmpty(env.DATABASE_REPLICA_URL),
    metricsToken: pick(flags.metricsToken, env.PILOTLOG_METRICS_TOKEN),
    windowDays: pick(flags.windowDays, env.PILOTLOG_WINDOW_DAYS) ?? "28",
    retentionDays: pick(flags.retentionDays, env.PILOTLOG_RETENTION_DAYS),
    reportLinkTtl: pick(flags.reportLinkTtl, env.PILOTLOG_REPORT_LINK_TTL) ?? "1h",
    reportFileRecords: pick(flags.reportFileRecords, env.PILOTLOG_REPORT_FILE_RECORDS) ?? "50000",
    port: pick(flags.port, env.PORT) ?? "8080",
    reprocessEvery: pick(flags.reprocessEvery, env.PILOTLOG_REPROCESS_EVERY) ?? "15m",
    rateLimit: pick(flags.rateLimit, env.PILOTLOG_RATE_LIMIT) ?? "5000",
  };
  refuseFirst(checkSettings, settings);
  const s = settings as Settings;
  // A replica without a primary is refused as a replica URL that is wrong.
  if (s.databaseReplicaUrl && !s.databaseUrl) throw new ConfigError(MESSAGES.databaseReplicaUrl(""));
  const windowDays = Number(s.windowDays);
  const numbers = {
    windowDays,
    retentionDays: s.retentionDays === undefined ? Math.max(365, windowDays) : Number(s.retentionDays),
    reportLinkTtlMs: duration(s.reportLinkTtl),
    reportFileRecords: Number(s.reportFileRecords),
    port: Number(s.port),
    rateLimit: Number(s.rateLimit),
  };
  const ranges: Record<string, unknown> = { ...numbers };
  if (!checkRanges(ranges)) {
    const key = pointerParts(checkRanges.errors?.[0]?.instancePath ?? "")[0] as keyof typeof numbers;
    const text = { ...s, reportLinkTtlMs: s.reportLinkTtl } as Record<string, unknown>;
    throw new ConfigError(MESSAGES[key](String(text[key] ?? numbers[key])));
  }
  if (numbers.retentionDays < windowDays)
    throw new ConfigError(
      `--retention-days / PILOTLOG_RETENTION_DAYS (${numbers.retentionDays}) must be at least --window-days (${windowDays}): reports keep at least the legacy window`,
    );
  return {
    ...numbers,
    databaseReplicaUrl: s.databaseReplicaUrl ?? null,
    metricsToken: s.metricsToken ?? null,
    dataDir: pick(flags.data, env.PILOTLOG_DATA) ?? ".pilotlog",
    databaseUrl: s.databaseUrl ?? null,
    host: s.host,
    now: s.now === undefined ? null : parseNow(s.now),
    processAtMinutes: Number(s.processAt.slice(0, 2)) * 60 + Number(s.processAt.slice(3)),
    reprocessEveryMs: duration(s.reprocessEvery),
    logLevel: s.logLevel,
  };
}

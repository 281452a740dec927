import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { ApplyReport } from "../directory/store.js";
import { type ImportSink, runImport } from "../import/run.js";
import type { ScopeNames } from "../import/sink.js";
import type { Clock } from "../util/clock.js";
import { addDays, utcDay } from "../util/time.js";
import { type SyncLog, type Upstream, UpstreamError } from "./client.js";
import { directoryFile, fetchScope, type UpstreamScope } from "./directory.js";
import type { LocalState, SyncedDay } from "./state.js";

/**
 * `pilotlog sync`: the directory first (directory.ts, applied through `apply`), then, per scope, the users-1-day and
 * user-teams-1-day reports of every day not yet synced or still settling, downloaded from their signed links and
 * imported through `runImport`. Each day is recorded as synced once its files are stored, so a run that stops
 * resumes with the next day.
 */

/** Days GitHub may still change a report (it finalises a day within about three): synced again every run. */
export const SETTLING_DAYS = 3;
export const MAX_DAYS = 365;
const DOWNLOAD_TRIES = 4;

/** Where a run writes: the database directly, or the server that holds the data folder. */
export interface SyncTarget {
  readState(api: string, scopes: readonly string[]): Promise<LocalState>;
  apply(text: string, fileName: string): Promise<ApplyReport>;
  sink(names: ScopeNames): ImportSink;
  markSynced(api: string, rows: readonly SyncedDay[], at: Date): Promise<void>;
}

export interface ScopeSummary {
  scope: string;
  members: number;
  teams: number;
  seats: number;
  days: number;
  /** Days the upstream has no report for (not processed there yet, or past its retention). */
  unavailable: number;
  records: number;
  teamRows: number;
  /** Enterprise user-team rows taken as its organizations' teams (see storeTeamRows). */
  orgTeamRows: number;
  splitUserDays: number;
  problems: string[];
  error: string | null;
}

export interface SyncSummary {
  api: string;
  scopes: ScopeSummary[];
  directory: ApplyReport | null;
  daysChanged: string[];
  waits: number;
}

/** Parses `--org` / `--enterprise` into scope keys ('org:login', 'ent:slug'), enterprises first. */
export function scopeKeys(orgs: readonly string[], enterprises: readonly string[]): string[] {
  const keys = [
    ...enterprises.map((e) => `ent:${e.toLowerCase()}`),
    ...orgs.map((o) => `org:${o.toLowerCase()}`),
  ];
  if (keys.length === 0)
    throw new UpstreamError("name what to sync: --org LOGIN and/or --enterprise SLUG (repeatable)", 0);
  return [...new Set(keys)];
}

/** The days a run fetches: those of the last `days` not synced yet, and the settling ones again, oldest first. */
export function daysToSync(today: string, days: number, synced: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let d = addDays(today, -days); d < today; d = addDays(d, 1))
    if (!synced.has(d) || d >= addDays(today, -SETTLING_DAYS)) out.push(d);
  return out;
}

async function download(link: string, file: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      // Signed links are fetched with no Authorization header, as GitHub's documentation says.
      const res = await fetch(link);
      if (res.status !== 200 || !res.body) {
        await res.body?.cancel();
        const err = new UpstreamError(`a report download link answered ${res.status}`, res.status);
        if (res.status < 500 && res.status !== 429) throw err;
        throw Object.assign(err, { transient: true });
      }
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(file));
      return;
    } catch (err) {
      const transient = !(err instanceof UpstreamError) || (err as { transient?: boolean }).transient;
      if (!transient) throw err;
      if (attempt >= DOWNLOAD_TRIES)
        throw err instanceof UpstreamError
          ? err
          : new UpstreamError(
              `cannot download a report file (${(err as Error).message}): run sync again to resume`,
              0,
            );
      await new Promise((r) => setTimeout(r, 250 * attempt * attempt));
    }
  }
}

/** Runs one sync. Throws UpstreamError for what stops the whole run (a refused token, an unknown scope). */
export async function runSync(opts: {
  up: Upstream;
  target: SyncTarget;
  scopes: readonly string[];
  days: number;
  clock: Clock;
  log: SyncLog;
}): Promise<SyncSummary> {
  const { up, target, log } = opts;
  if (!Number.isInteger(opts.days) || opts.days < 1 || opts.days > MAX_DAYS)
    throw new UpstreamError(`--days must be a whole number from 1 to ${MAX_DAYS}`, 0);
  const today = utcDay(opts.clock.now());
  const summary: SyncSummary = { api: up.api, scopes: [], directory: null, daysChanged: [], waits: 0 };
  const changed = new Set<string>();

  const fetched: UpstreamScope[] = [];
  for (const key of opts.scopes) {
    log(`${key}: reading the directory`);
    fetched.push(await fetchScope(up, key));
  }
  const local = await target.readState(up.api, opts.scopes);
  const file = directoryFile(fetched, local, today);
  summary.directory = await target.apply(JSON.stringify(file), "sync.json");
  for (const d of summary.directory.dirtyDays) changed.add(d);

  const dir = await mkdtemp(join(tmpdir(), "pilotlog-sync-"));
  try {
    for (const scope of fetched) {
      const kind = scope.key.slice(0, 3);
      const name = scope.key.slice(4);
      const s: ScopeSummary = {
        scope: scope.key,
        members: scope.members.length,
        teams: scope.teams.length,
        seats: scope.seats.length,
        days: 0,
        unavailable: 0,
        records: 0,
        teamRows: 0,
        orgTeamRows: 0,
        splitUserDays: 0,
        problems: [],
        error: null,
      };
      summary.scopes.push(s);
      const synced = new Set(local.days.filter((d) => d.scope === scope.key).map((d) => d.day));
      const base =
        kind === "org" ? `/orgs/${encodeURIComponent(name)}` : `/enterprises/${encodeURIComponent(name)}`;
      const names: ScopeNames =
        kind === "org"
          ? { org: name, enterprise: null }
          : // The directory applied above holds the enterprise's teams as the upstream lists them: any other slug of
            // its user-teams file is an organization's team (of an organization this run may not sync).
            { org: null, enterprise: name, enterpriseTeamsComplete: true };
      const sink = target.sink(names);
      try {
        for (const day of daysToSync(today, opts.days, synced)) {
          const files: string[] = [];
          let available = true;
          // An enterprise's user-teams rows name its organizations' teams too: the import takes those as the
          // organizations' (the directory, applied above, knows them) and stores only its enterprise teams' rows.
          const reports = ["users-1-day", "user-teams-1-day"];
          for (const report of reports) {
            const res = await up.get<{ download_links: string[] } | null>(
              `${base}/copilot/metrics/reports/${report}`,
              { day },
              [204, 404],
            );
            if (res.status === 404) {
              available = false;
              break;
            }
            if (res.status === 204 || !res.data) continue;
            for (const [i, link] of res.data.download_links.entries()) {
              const f = join(dir, `${kind}-${day}-${report}-${i}.ndjson`);
              await download(link, f);
              files.push(f);
            }
          }
          if (!available) {
            s.unavailable++;
            continue;
          }
          const r = files.length > 0 ? await runImport(files, sink) : null;
          for (const f of files) await rm(f, { force: true });
          if (r) {
            s.records += r.records;
            s.teamRows += r.teamRows;
            s.orgTeamRows += r.orgTeamRows;
            s.splitUserDays += r.splitUserDays;
            for (const d of r.days) changed.add(d);
            for (const p of r.problems) if (s.problems.length < 20) s.problems.push(`${day}: ${p.reason}`);
          }
          s.days++;
          await target.markSynced(
            up.api,
            [{ scope: scope.key, day, records: r?.records ?? 0, teamRows: r?.teamRows ?? 0 }],
            opts.clock.now(),
          );
          log(`${scope.key}: ${day}: ${r?.records ?? 0} records, ${r?.teamRows ?? 0} user-team rows`);
        }
      } catch (err) {
        // A refused token stops everything; a scope whose reports are refused (policy, access) is reported and the
        // other scopes go on.
        if (err instanceof UpstreamError && err.status === 401) throw err;
        if (!(err instanceof UpstreamError)) throw err;
        s.error = err.message;
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  summary.daysChanged = [...changed].sort();
  summary.waits = up.waits();
  return summary;
}

/** The lines `sync` prints: per scope what it fetched, then where to look next. */
export function describeSync(s: SyncSummary, where: string): string {
  const lines = [`Synced from ${s.api} into ${where}:`];
  for (const x of s.scopes) {
    lines.push(
      `  ${x.scope}: ${x.members} members, ${x.teams} teams, ${x.seats} seats; ${x.days} days synced (${x.records} user-day records, ${x.teamRows} user-team rows${x.orgTeamRows > 0 ? `, ${x.orgTeamRows} taken as organization teams` : ""})` +
        (x.unavailable > 0 ? `; ${x.unavailable} days not offered upstream` : "") +
        (x.splitUserDays > 0
          ? `; ${x.splitUserDays} user-days used several IDEs (estimated editor split)`
          : ""),
    );
    for (const p of x.problems) lines.push(`    skipped: ${p}`);
    if (x.error) lines.push(`    stopped: ${x.error}`);
  }
  const d = s.directory;
  if (d)
    lines.push(
      d.changed
        ? `  directory: ${d.users.created} users, ${d.teams.created} teams new; ${d.grants.added} memberships and seats added, ${d.grants.removed} removed`
        : "  directory: unchanged",
    );
  if (s.waits > 0) lines.push(`  waited ${s.waits} time(s) for the API's rate limits`);
  if (s.daysChanged.length > 0)
    lines.push(
      `${s.daysChanged.length} day(s) changed (${s.daysChanged[0]} … ${s.daysChanged.at(-1)}): run \`npx pilotlog process\` (a running server does it on its own), then read GET /orgs/ORG/copilot/metrics or the dashboard.`,
    );
  else lines.push("Nothing new to process.");
  return `${lines.join("\n")}\n`;
}

import { bodyOf } from "./body.js";
import { recordFacts } from "./facts.js";
import { expandSources, parseLine, readSourceBatches, sourceName } from "./read.js";
import {
  COUNTER_NAMES,
  checkRecord,
  checkTeamRow,
  type ImportedRecord,
  KNOWN_KEYS,
  type TeamRow,
} from "./schema.js";
import type { BatchResult, PendingRecord, PendingTeamRow, TeamBatchResult } from "./store.js";

/**
 * `pilotlog import`: reads report files (read.ts), checks each value (schema.ts), rebuilds facts (facts.ts) and hands
 * batches to a sink (the database, or the running server that holds it). Bad values are reported and skipped; the
 * rest is imported.
 */

/** Where batches go: the database directly, or the server's admin route. */
export interface ImportSink {
  /** Records (or team rows) per batch handed on; `BATCH` when not said. */
  readonly batchSize?: number;
  /**
   * Records read between two turns of the event loop while a batch is in flight: a database in another process
   * waits that long for each statement's answer to be taken in, one in this process (PGlite) gains nothing by it.
   */
  readonly yieldEvery?: number;
  records(batch: PendingRecord[]): Promise<BatchResult>;
  teams(batch: PendingTeamRow[]): Promise<TeamBatchResult>;
  /** Called once every batch is stored, before the run reports: what the batches left pending is made durable. */
  finish?(): Promise<void>;
}

export interface ImportSummary {
  files: number;
  records: number;
  users: number;
  days: string[];
  teamRows: number;
  teamsCreated: number;
  /** Enterprise rows whose slug is one of its organizations' teams (see storeTeamRows): no enterprise team made. */
  orgTeamRows: number;
  splitUserDays: number;
  unknownFeatures: Record<string, number>;
  unknownKeys: Record<string, number>;
  problems: { where: string; reason: string }[];
  problemCount: number;
  aggregates: { checked: number; mismatches: string[] };
}

/** Records per transaction: large enough to amortise round trips, small enough to keep memory flat. */
export const BATCH = 2000;
const MAX_PROBLEMS_KEPT = 1000;
/** Records read between two turns of the event loop while a batch is in flight, when the sink does not say. */
const YIELD_EVERY = 64;

type Sums = { records: number } & Record<string, number>;

/** Imports every source; `onProgress` sees the records read so far and the bytes of the current file. */
export async function runImport(
  sources: readonly string[],
  sink: ImportSink,
  opts: { onProgress?: (records: number, file: string, bytes: number) => void } = {},
): Promise<ImportSummary> {
  const files = await expandSources(sources);
  const batchSize = sink.batchSize ?? BATCH;
  const yieldEvery = sink.yieldEvery ?? YIELD_EVERY;
  const s: ImportSummary = {
    files: files.length,
    records: 0,
    users: 0,
    days: [],
    teamRows: 0,
    teamsCreated: 0,
    orgTeamRows: 0,
    splitUserDays: 0,
    unknownFeatures: {},
    unknownKeys: {},
    problems: [],
    problemCount: 0,
    aggregates: { checked: 0, mismatches: [] },
  };
  const problem = (where: string, reason: string) => {
    s.problemCount++;
    if (s.problems.length < MAX_PROBLEMS_KEPT) s.problems.push({ where, reason });
  };
  const users = new Set<string>();
  const days = new Set<string>();
  const sums = new Map<string, Sums>();
  const aggregates: { key: string; where: string; value: Record<string, unknown> }[] = [];
  /** `at`: the NDJSON line of the file being read (batches never span two files), or where the value is. */
  let records: { p: PendingRecord; at: string | number }[] = [];
  let teams: { p: PendingTeamRow; where: string }[] = [];
  let read = 0;
  let sinceYield = 0;

  // One batch is stored while the next is read and checked (PostgreSQL works in its own process meanwhile); never
  // more, so memory stays flat whatever the file's size. A failed batch fails the import when the next one is due.
  let inflight: Promise<void> | null = null;
  let failure: { err: unknown } | null = null;
  const settle = async () => {
    if (inflight) await inflight;
    inflight = null;
    if (failure) throw failure.err;
  };
  const submit = async (store: () => Promise<void>) => {
    await settle();
    inflight = store().catch((err: unknown) => {
      failure = { err };
    });
  };
  const flushRecords = async (name: string) => {
    if (records.length === 0) return;
    const batch = records;
    records = [];
    await submit(async () => {
      const r = await sink.records(batch.map((b) => b.p));
      const bad = new Set(r.unplaced.map((u) => u.index));
      for (const u of r.unplaced) {
        const at = batch[u.index]!.at;
        problem(typeof at === "number" ? `${name}:${at}` : at, u.reason);
      }
      batch.forEach((b, i) => {
        if (bad.has(i)) return;
        s.records++;
        if (b.p.split) s.splitUserDays++;
        users.add(b.p.login.toLowerCase());
        days.add(b.p.day);
      });
    });
  };
  const flushTeams = async () => {
    if (teams.length === 0) return;
    const batch = teams;
    teams = [];
    await submit(async () => {
      const r = await sink.teams(batch.map((b) => b.p));
      for (const u of r.unplaced) problem(batch[u.index]!.where, u.reason);
      s.teamRows += r.rows;
      s.teamsCreated += r.teamsCreated;
      // A server older than this field answers without it.
      s.orgTeamRows += r.orgTeamRows ?? 0;
      for (const d of r.days) days.add(d);
    });
  };

  for (const file of files) {
    const name = sourceName(file);
    const whereOf = (at: string | number) => (typeof at === "number" ? `${name}:${at}` : at);
    for await (const items of readSourceBatches(file, (bytes) => opts.onProgress?.(read, file, bytes)))
      for (const item of items) {
        // While a batch is being stored, its statements' answers wait for this loop: let them in every few
        // records, so the database goes on with the next statement instead of idling until the chunk is read.
        if (inflight && ++sinceYield >= yieldEvery) {
          sinceYield = 0;
          await new Promise<void>((r) => setImmediate(r));
        }
        if (item.kind === "problem") {
          problem(item.where, item.reason);
          continue;
        }
        // Where a value is: an NDJSON line's place is only spelled out when something is reported of it.
        let at: string | number;
        let v: unknown;
        let raw: string | null;
        if (item.kind === "line") {
          const r = parseLine(item);
          if (!r.ok) {
            problem(`${item.name}:${item.line}`, r.reason);
            continue;
          }
          at = item.line;
          v = r.value;
          raw = item.raw;
        } else {
          at = item.where;
          v = item.value;
          raw = item.raw;
        }
        read++;
        if (!v || typeof v !== "object" || Array.isArray(v)) {
          problem(
            whereOf(at),
            "not a JSON object (expected one user-day record, user-team row or aggregate record)",
          );
          continue;
        }
        const o = v as Record<string, unknown>;
        if (Array.isArray(o.day_totals)) {
          for (const d of o.day_totals as Record<string, unknown>[])
            aggregates.push({ key: scopeKeyOf({ ...o, ...d }), where: whereOf(at), value: d });
          continue;
        }
        if (!("user_login" in o) && "daily_active_users" in o) {
          aggregates.push({ key: scopeKeyOf(o), where: whereOf(at), value: o });
          continue;
        }
        if ("slug" in o && "user_login" in o) {
          const bad = checkTeamRow(o);
          const scope = bad ? null : scopeOf(o);
          if (bad || !scope) {
            problem(whereOf(at), bad ?? "record: has neither organization_id nor enterprise_id");
            continue;
          }
          const t = o as unknown as TeamRow;
          teams.push({ p: { ...scope, login: t.user_login, day: t.day, slug: t.slug }, where: whereOf(at) });
          if (teams.length >= batchSize) await flushTeams();
          continue;
        }
        const bad = checkRecord(o);
        const scope = bad ? null : scopeOf(o);
        if (bad || !scope) {
          problem(whereOf(at), bad ?? "record: has neither organization_id nor enterprise_id");
          continue;
        }
        const rec = o as unknown as ImportedRecord;
        for (const k in o)
          if (!KNOWN_KEYS.has(k) && !k.startsWith("used_copilot_"))
            s.unknownKeys[k] = (s.unknownKeys[k] ?? 0) + 1;
        const built = recordFacts(rec);
        for (const f of built.unknownFeatures) s.unknownFeatures[f] = (s.unknownFeatures[f] ?? 0) + 1;
        const sumKey = `${scope.kind}:${scope.upstreamId}|${rec.day}`;
        let sum = sums.get(sumKey);
        if (!sum) {
          sum = { records: 0 };
          for (const c of COUNTER_NAMES) sum[c] = 0;
          sums.set(sumKey, sum);
        }
        sum.records++;
        for (const c of COUNTER_NAMES) sum[c]! += rec[c] ?? 0;
        // Every field written out (no spread of `scope`): one allocation of one shape per record.
        records.push({
          p: {
            kind: scope.kind,
            upstreamId: scope.upstreamId,
            upstreamEnterprise:
              scope.kind === "org" && o.enterprise_id != null ? String(o.enterprise_id) : null,
            login: rec.user_login,
            day: rec.day,
            body: bodyOf(o, raw),
            facts: built.facts,
            split: built.split,
          },
          at,
        });
        if (records.length >= batchSize) await flushRecords(name);
      }
    await flushRecords(name);
    await flushTeams();
    await settle();
  }
  await sink.finish?.();
  s.users = users.size;
  s.days = [...days].sort();
  s.aggregates = crossCheck(aggregates, sums);
  return s;
}

function scopeOf(o: Record<string, unknown>): { kind: "org" | "ent"; upstreamId: string } | null {
  if (o.organization_id != null) return { kind: "org", upstreamId: String(o.organization_id) };
  if (o.enterprise_id != null) return { kind: "ent", upstreamId: String(o.enterprise_id) };
  return null;
}

function scopeKeyOf(o: Record<string, unknown>): string {
  const s = scopeOf(o);
  return `${s ? `${s.kind}:${s.upstreamId}` : "?"}|${String(o.day)}`;
}

/** Compares each aggregate day record with the sums of the user records of the same scope and day read in this run. */
function crossCheck(
  aggregates: readonly { key: string; where: string; value: Record<string, unknown> }[],
  sums: ReadonlyMap<string, Sums>,
): { checked: number; mismatches: string[] } {
  const out = { checked: 0, mismatches: [] as string[] };
  for (const a of aggregates) {
    const s = sums.get(a.key);
    if (!s) continue;
    out.checked++;
    const diffs: string[] = [];
    const dau = a.value.daily_active_users;
    // Users active without a reported record (github.com chat only, say) count in the aggregate, not in the files.
    if (typeof dau === "number" && dau < s.records)
      diffs.push(`daily_active_users ${dau} < ${s.records} user records`);
    for (const c of COUNTER_NAMES) {
      const v = a.value[c];
      if (typeof v === "number" && v !== (s[c] ?? 0))
        diffs.push(`${c} ${v} ≠ ${s[c] ?? 0} summed over user records`);
    }
    if (diffs.length > 0) out.mismatches.push(`${a.where}: ${a.key.replace("|", " ")}: ${diffs.join("; ")}`);
  }
  return out;
}

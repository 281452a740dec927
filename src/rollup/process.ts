import type { Db, Queryable } from "../db/db.js";
import { ANNOUNCE_DAYS } from "../db/generation.js";
import { type DayDirectory, loadDayDirectory } from "../directory/asof.js";
import {
  DAY_FACTS_SQL,
  DAY_HAS_FACTS_SQL,
  overlayImportedRecords,
  pruneImported,
} from "../import/process-hook.js";
import { loadDayUsers, NO_USERS } from "../reports/day-users.js";
import { loadReportInputs } from "../reports/inputs.js";
import { clearReportDay, insertRecords, pruneReports, storeReportDay } from "../reports/store.js";
import { addDays, utcDay } from "../util/time.js";
import { DayAccumulator } from "./compute.js";
import type { DayDocument } from "./document.js";
import type { FactRow } from "./facts.js";
import { serializeDocument } from "./serialize.js";
import { windowOf } from "./window.js";

/** Seats a scope with a privacy threshold needs at the end of a day for that day to be served. */
export const PRIVACY_THRESHOLD = 5;
const DAY_LOCK_BASE = 7_120_000;
/** Facts per cursor fetch: large enough to amortise the round trip, small enough to keep memory flat. */
const FACTS_PER_FETCH = 20_000;
/** Facts computed between two yields to the event loop (≈ 500 users: one records INSERT). */
const FACTS_PER_PART = 5_000;
/** Parts whose records may wait to be inserted while the next is computed (each ≈ 500 users, 2 MB). */
const PARTS_AHEAD = 2;
const DOCUMENTS_PER_INSERT = 100;
/** Days of reports kept (`--retention-days`). */
export const DEFAULT_RETENTION_DAYS = 365;

export interface ProcessOptions {
  retentionDays?: number;
  /** false: the legacy documents only (the rollup benchmark's baseline for what the reports add). */
  reports?: boolean;
  /**
   * Facts read per cursor FETCH: 20,000, or 997 where a test covers the hand-over between fetches. A literal type,
   * because the count is spliced into the statement (FETCH takes no parameter).
   */
  factsPerFetch?: typeof FACTS_PER_FETCH | 997;
}

export interface DayResult {
  day: string;
  facts: number;
  activeUsers: number;
  documents: number;
  belowThreshold: number;
  ms: number;
}

/** Scopes without a threshold: the enterprise endpoint. */
const hasThreshold = (scope: string) => !scope.startsWith("ent:");

/**
 * Computes and stores every scope's document for one closed day, replacing what was stored for it, in one
 * transaction (readers see the old day or the new one, never half). The day's dirty mark is cleared first, so
 * events that arrive while it runs mark it again.
 */
export async function processDay(
  db: Db,
  day: string,
  now: Date,
  opts: ProcessOptions = {},
): Promise<DayResult> {
  const started = performance.now();
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1, $2)", [DAY_LOCK_BASE, dayNumber(day)]);
    return computeAndStore(tx, day, now, started, opts);
  });
}

const dayNumber = (day: string) => Date.parse(day) / 86_400_000;

/**
 * `processDay` for servers sharing one database (the scheduler): when another process holds the day's lock it
 * is processing the day now, so this one skips it (null); once the lock is taken, a day another process
 * finished meanwhile (processed, not dirty) is skipped too. So each due day is processed by exactly one of
 * them; events arriving during that run mark the day dirty again, and the next check takes it.
 */
export async function processDayIfDue(
  db: Db,
  day: string,
  now: Date,
  opts: ProcessOptions = {},
): Promise<DayResult | null> {
  const started = performance.now();
  return db.transaction(async (tx) => {
    const [lock] = await tx.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock($1, $2) AS ok", [
      DAY_LOCK_BASE,
      dayNumber(day),
    ]);
    if (!lock!.ok) return null;
    const [state] = await tx.query<{ due: boolean }>(
      `SELECT NOT EXISTS (SELECT 1 FROM processed_days WHERE day = $1)
              OR EXISTS (SELECT 1 FROM dirty_days WHERE day = $1) AS due`,
      [day],
    );
    if (!state!.due) return null;
    return computeAndStore(tx, day, now, started, opts);
  });
}

async function computeAndStore(
  tx: Queryable,
  day: string,
  now: Date,
  started: number,
  opts: ProcessOptions,
): Promise<DayResult> {
  await tx.query("DELETE FROM dirty_days WHERE day = $1", [day]);
  // A day without activity has no documents: skip loading the directory as of that day (0.4 s at 100,000 users
  // on PostgreSQL, seconds on PGlite), which dominated catching up a window of quiet days.
  const [any] = await tx.query(DAY_HAS_FACTS_SQL, [day]);
  const dir: DayDirectory = any
    ? await loadDayDirectory(tx, day)
    : { scopesOf: new Map(), seatedMembers: new Map(), customModels: new Map() };
  // Read through a cursor, a chunk at a time: memory stays flat whatever the day's size (issue 6).
  // Imported records' facts come along (import/process-hook.ts).
  await tx.query(`DECLARE day_facts NO SCROLL CURSOR FOR ${DAY_FACTS_SQL}`, [day]);
  // The usage-metrics reports come from the same pass: each counted user's record, once per org/enterprise.
  // A quiet day with no report rows in its 28 days has nothing to store or carry: one query, not six (a server
  // catching up a window of quiet days does this for every day).
  const [recent] =
    any || opts.reports === false
      ? [undefined]
      : await tx.query("SELECT 1 FROM report_days WHERE day BETWEEN $1 AND $2 LIMIT 1", [
          addDays(day, -27),
          day,
        ]);
  const withReports = opts.reports !== false && (any !== undefined || recent !== undefined);
  if (withReports) await clearReportDay(tx, day);
  const reportFacts = any !== undefined && withReports;
  const reports = await loadReportInputs(tx, reportFacts, day, (s) => dir.seatedMembers.get(s) ?? 0);
  const acc = new DayAccumulator(
    (u) => dir.scopesOf.get(u),
    withReports ? (u, rows, scopes) => reports.addUser(u, rows, scopes) : undefined,
  );
  // The next fetch and each part's inserts are queued (one statement on the connection at a time) before the next
  // part is computed, and the computation yields between parts, so that on PostgreSQL the server reads and writes
  // while JavaScript computes (PGlite runs them one after the other anyway). A failed statement is thrown after
  // the loop; those queued after it fail too and the transaction rolls back.
  let failed: { error: unknown } | undefined;
  let tail: Promise<unknown> = Promise.resolve();
  const enqueue = <T>(run: () => Promise<T>): Promise<T> => {
    const p = tail.then(run);
    // Marked handled when made: one left behind by a throw would otherwise end the process as unhandled.
    tail = p.catch((error: unknown) => {
      failed ??= { error };
    });
    return p;
  };
  // Backpressure: JavaScript runs ahead of the database by at most PARTS_AHEAD parts. Unbounded, a 100,000-user
  // day queued every serialized record at once (the server's RSS went from 125 to 675 MB on PostgreSQL).
  const inFlight: Promise<unknown>[] = [];
  const write = async (rows: ReturnType<typeof reports.takePending>) => {
    if (rows.length === 0) return;
    inFlight.push(enqueue(() => insertRecords(tx, day, rows)).catch(() => undefined));
    while (inFlight.length > PARTS_AHEAD) await inFlight.shift();
  };
  // Each fetch comes with its users' logins and versions (and those of the user the previous fetch ended in, whose
  // rows are added with this one's), in the same queued step.
  let carried: number | undefined;
  const perFetch = opts.factsPerFetch ?? FACTS_PER_FETCH;
  const fetch = () => {
    const p = enqueue(async () => {
      const rows = await tx.query<FactRow>(`FETCH ${perFetch} FROM day_facts`);
      if (!reportFacts) return { rows, users: NO_USERS };
      const ids = carried === undefined ? [] : [carried];
      for (const r of rows) if (r.userId !== ids[ids.length - 1]) ids.push(r.userId);
      carried = ids[ids.length - 1];
      return { rows, users: await loadDayUsers(tx, day, ids) };
    });
    p.catch(() => undefined);
    return p;
  };
  let docs: Map<string, DayDocument>;
  try {
    let next = fetch();
    for (;;) {
      const { rows: chunk, users } = await next;
      reports.useUsers(users);
      const more = chunk.length >= perFetch;
      if (more) next = fetch();
      for (let i = 0; i < chunk.length; i += FACTS_PER_PART) {
        acc.add(i === 0 && chunk.length <= FACTS_PER_PART ? chunk : chunk.slice(i, i + FACTS_PER_PART));
        await write(reports.takePending());
        // I/O callbacks run here: the connection sends what is queued.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (!more) break;
    }
    void enqueue(() => tx.query("CLOSE day_facts")).catch(() => undefined);
    docs = acc.finish(day, dir.customModels);
    await write(reports.takePending());
    await tail;
  } catch (error) {
    await tail;
    // The statement that failed first says why; those after it only that the transaction was aborted.
    throw failed?.error ?? error;
  }
  if (failed) throw failed.error;
  if (withReports) await overlayImportedRecords(tx, day, (scope) => reports.scopes.get(scope));
  const scopes: string[] = [];
  const bodies: string[] = [];
  const hashes: string[] = [];
  let belowThreshold = 0;
  for (const [scope, doc] of docs) {
    if (hasThreshold(scope) && (dir.seatedMembers.get(scope) ?? 0) < PRIVACY_THRESHOLD) {
      belowThreshold++;
      continue;
    }
    const { body, hash } = serializeDocument(doc);
    scopes.push(scope);
    bodies.push(body);
    hashes.push(hash);
  }
  await tx.query("DELETE FROM day_documents WHERE day = $1", [day]);
  // In slices: one statement with every document (17 MB at 1,000 teams) would grow PGlite's memory for good.
  for (let i = 0; i < scopes.length; i += DOCUMENTS_PER_INSERT) {
    const end = i + DOCUMENTS_PER_INSERT;
    await tx.query(
      `INSERT INTO day_documents (scope, day, body, hash)
       SELECT s, $1::date, b, h FROM unnest($2::text[], $3::text[], $4::text[]) AS x(s, b, h)`,
      [day, scopes.slice(i, end), bodies.slice(i, end), hashes.slice(i, end)],
    );
  }
  const activeUsers = acc.activeUsers;
  await tx.query(
    `INSERT INTO processed_days (day, processed_at, active_users, documents, generation)
     VALUES ($1, $2, $3, $4, nextval('processing_generation'))
     ON CONFLICT (day) DO UPDATE SET processed_at = excluded.processed_at,
       active_users = excluded.active_users, documents = excluded.documents, generation = excluded.generation`,
    [day, now.toISOString(), activeUsers, scopes.length],
  );
  if (withReports) await storeReportDay(tx, day, reports);
  const firstKept = addDays(utcDay(now), -(opts.retentionDays ?? DEFAULT_RETENTION_DAYS));
  if (withReports) await pruneReports(tx, firstKept);
  await pruneImported(tx, firstKept);
  await tx.query(ANNOUNCE_DAYS);
  return {
    day,
    facts: acc.facts,
    activeUsers,
    documents: scopes.length,
    belowThreshold,
    ms: Math.round(performance.now() - started),
  };
}

// Kept importable from here for code written before it moved to window.ts.
export { windowOf };

/**
 * Closed days of the window that need processing: never processed (yesterday only once `includeYesterday`), or
 * marked dirty by late events or a directory change.
 */
export async function dueDays(
  db: Db,
  opts: { today: string; windowDays: number; includeYesterday: boolean; includeDirty: boolean },
): Promise<string[]> {
  const { first, last } = windowOf(opts.today, opts.windowDays);
  const lastNew = opts.includeYesterday ? last : addDays(last, -1);
  const processed = new Set(
    (
      await db.query<{ day: string }>("SELECT day FROM processed_days WHERE day BETWEEN $1 AND $2", [
        first,
        last,
      ])
    ).map((r) => r.day),
  );
  const due = new Set<string>();
  for (let d = first; d <= lastNew; d = addDays(d, 1)) if (!processed.has(d)) due.add(d);
  if (opts.includeDirty) {
    const dirty = await db.query<{ day: string }>("SELECT day FROM dirty_days WHERE day BETWEEN $1 AND $2", [
      first,
      last,
    ]);
    for (const r of dirty) due.add(r.day);
  }
  return [...due].sort();
}

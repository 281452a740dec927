import { CopyBinaryWriter } from "../db/copy-binary.js";
import type { Db } from "../db/db.js";
import type { ImportSink } from "./run.js";
import {
  finishImport,
  type PendingRecord,
  type PendingTeamRow,
  ScopeMap,
  type StoreMode,
  storeRecords,
  storeTeamRows,
  UserMap,
} from "./store.js";

/** The organization login / enterprise slug that upstream ids not yet known here are placed in. */
export interface ScopeNames {
  org: string | null;
  enterprise: string | null;
  /**
   * The directory here holds every enterprise team of the enterprise (sync applied them from the upstream's
   * directory first): an enterprise row whose slug is none of them is one of its organizations' teams, even one of an
   * organization not synced, and never makes an enterprise team.
   */
  enterpriseTeamsComplete?: boolean;
}

/**
 * Records per batch into PGlite: its statements run in this process, so a batch's parameters, their copy in PGlite's
 * WASM memory and the garbage they leave all count in this process's memory; 500 records (≈ 0.6 MB of bodies)
 * instead of 2,000 hold that down at no cost in speed (one transaction per batch is cheap in a single process).
 */
const PGLITE_BATCH = 500;

/**
 * A sink writing straight into the database (import run where the database is). `lazyCommit` (the default): batches
 * commit without waiting for the disk and the run's `finish` waits once for all (see StoreMode).
 */
export function databaseSink(
  db: Db,
  names: ScopeNames,
  opts: { lazyCommit?: boolean } = {},
): ImportSink & { created(): { users: number; orgs: number; enterprises: number } } {
  const scopes = new ScopeMap(names);
  const users = new UserMap();
  const mode: StoreMode = {
    copy: true,
    lazyCommit: opts.lazyCommit ?? true,
    writers:
      db.engine === "postgres"
        ? { records: new CopyBinaryWriter(4 << 20), facts: new CopyBinaryWriter(1 << 20) }
        : undefined,
  };
  return {
    batchSize: db.engine === "pglite" ? PGLITE_BATCH : undefined,
    // PostgreSQL: a batch's statements are the run's critical path, each answer taken in within ≈ 0.4 ms of parsing.
    // PGlite runs them in this thread: yielding that often made it slower and 30 MB larger.
    yieldEvery: db.engine === "postgres" ? 16 : undefined,
    records: (batch) => storeRecords(db, batch, scopes, users, mode),
    teams: (batch) => storeTeamRows(db, batch, scopes, users),
    finish: () => finishImport(db),
    created: () => ({
      users: users.created,
      orgs: scopes.orgsCreated,
      enterprises: scopes.enterprisesCreated,
    }),
  };
}

/** The body of the server's import admin route: one batch. */
export interface ImportBatchBody {
  names: ScopeNames;
  records?: PendingRecord[];
  teams?: PendingTeamRow[];
}

/** Stores one batch sent by `pilotlog import` to the server that holds the data folder. */
export async function storeBatch(db: Db, body: ImportBatchBody): Promise<unknown> {
  // Each batch its own run: committed durably before the answer says it is stored.
  const sink = databaseSink(db, body.names, { lazyCommit: false });
  const r = body.records ? await sink.records(body.records) : await sink.teams(body.teams ?? []);
  return { ...r, days: [...r.days], created: sink.created() };
}

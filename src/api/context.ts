import type { Db } from "../db/db.js";
import type { Clock } from "../util/clock.js";

/** What the HTTP layer needs from the rest of pilotlog. */
export interface AppContext {
  db: Db;
  clock: Clock;
  windowDays: number;
  /** Secret of the local admin routes the CLI uses while this server holds a PGlite folder. */
  adminToken?: string;
  /** Runs a processing pass now (the admin `process` route and the scheduler share it). */
  processNow?: (day?: string) => Promise<unknown>;
}

import type { Db, Queryable } from "./db.js";
import { isDatabaseUnavailable } from "./unavailable.js";

/** Reads served by the replica, and those sent back to the primary because it was behind or away. */
export interface ReplicaStats {
  replica: number;
  primary: number;
  lagChecks: number;
}

/**
 * Sends reads that may lag (stored day documents, companion lists) to a streaming replica
 * (`DATABASE_REPLICA_URL`), but only once the replica holds everything the primary had committed when the
 * request's generation was read: the primary's WAL position is read after the generation, and the replica is
 * used only when its replay position has reached it. An answer from the replica is then never older than what
 * the primary already answered. That check is made once per generation (nothing served changes within one);
 * while the replica is behind, or cannot be reached, the primary serves.
 *
 * Positions, not generations, are compared: a sequence on a standby reads up to 32 values ahead of the
 * primary (sequences are WAL-logged in batches), so the directory generation could never be compared equal.
 */
export class ReplicaRouter {
  readonly stats: ReplicaStats = { replica: 0, primary: 0, lagChecks: 0 };
  private caughtUpFor: string | null = null;
  /** The replica, falling back to the primary for a read the replica cannot answer (it went away). */
  private readonly guarded: Queryable;

  constructor(
    private readonly primary: Db,
    readonly replica: Db,
  ) {
    this.guarded = {
      query: <T>(sql: string, params?: readonly unknown[]) =>
        replica.query<T>(sql, params).catch((err: unknown) => {
          if (!isDatabaseUnavailable(err)) throw err;
          this.caughtUpFor = null;
          this.stats.primary++;
          return primary.query<T>(sql, params);
        }),
    };
  }

  /** Where to run a lag-tolerant read for a request whose primary generation is `generation`. */
  async reader(generation: string): Promise<Queryable> {
    if (this.caughtUpFor === generation) {
      this.stats.replica++;
      return this.guarded;
    }
    this.stats.lagChecks++;
    try {
      const [p] = await this.primary.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn");
      // NULL when the "replica" is not in recovery (a primary given by mistake): never trusted.
      const [r] = await this.replica.query<{ ok: boolean | null }>(
        "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok",
        [p!.lsn],
      );
      if (r?.ok === true) {
        this.caughtUpFor = generation;
        this.stats.replica++;
        return this.guarded;
      }
    } catch {
      // The replica is away: the primary answers, and the next generation checks again.
    }
    this.stats.primary++;
    return this.primary;
  }

  close(): Promise<void> {
    return this.replica.close();
  }
}

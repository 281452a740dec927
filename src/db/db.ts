/**
 * The database seen by the rest of pilotlog: one PostgreSQL dialect, two engines (embedded PGlite, or a
 * PostgreSQL server). Dates come back as `YYYY-MM-DD` strings and int8 as numbers on both.
 */

/** Something that runs parameterised SQL. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

/** The statements of one transaction. */
export interface Transaction extends Queryable {
  /** Runs a whole SQL text (several statements, `$$` bodies and all) without parameters: a migration file. */
  exec(sql: string): Promise<void>;
  /**
   * `COPY … FROM STDIN` with `data` (COPY's text format) as its input, where the engine offers it (PostgreSQL);
   * resolves to the rows copied. Callers keep an `INSERT` for the engine without it.
   */
  copyIn?(copy: string, data: string | Buffer): Promise<number>;
}

export interface Db extends Queryable {
  readonly engine: "pglite" | "postgres";
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Runs several `;`-separated statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
  /**
   * Runs a read and returns its rows with a stamp: while `writeStamp()` still equals it, nothing can have changed
   * what the read saw (no statement of this process completed since it started and, on PostgreSQL, no other
   * process announced a change on the `pilotlog_generation` channel). Lets a cache skip re-reading.
   */
  stampedRead?<T>(sql: string): Promise<{ rows: T[]; stamp: number }>;
  /** The current stamp (see `stampedRead`); NaN, equal to nothing, while changes cannot be known. */
  writeStamp?(): number;
  /** Connections of a pool (PostgreSQL): open, idle, and requests waiting for one (for /metrics). */
  poolStats?(): { total: number; idle: number; waiting: number };
}

/** OIDs whose text form we keep or convert the same way on both engines. */
export const TYPE_OIDS = { int8: 20, date: 1082, numeric: 1700 } as const;

export const keepText = (v: string): string => v;
export const toNumber = (v: string): number => Number(v);

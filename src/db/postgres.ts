import pg from "pg";
import { copyIn } from "./copy-in.js";
import { type Db, keepText, type Transaction, TYPE_OIDS, toNumber } from "./db.js";
import { GenerationListener } from "./pg-listener.js";
import { retryConflicts } from "./retry.js";

const parsers: Record<number, (v: string) => unknown> = {
  [TYPE_OIDS.date]: keepText,
  [TYPE_OIDS.int8]: toNumber,
  [TYPE_OIDS.numeric]: toNumber,
};

const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    parsers[oid] ?? pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};

/** A PostgreSQL server reached through a pool (`DATABASE_URL`). */
export class PostgresDb implements Db {
  readonly engine = "postgres" as const;
  /** Statements of this process completed (see `stampedRead`). */
  private jobs = 0;
  private listener: GenerationListener | null = null;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
  ) {}

  /** Connects and checks the server answers, so a wrong URL fails at start with the driver's reason. */
  static async open(url: string, options: { max?: number } = {}): Promise<PostgresDb> {
    const pool = new pg.Pool({ connectionString: url, types, max: options.max ?? 10 });
    // An idle client that loses its server (terminated, restart, failover) must not crash the process: the pool
    // drops it and the next query opens a new connection.
    pool.on("error", () => undefined);
    const db = new PostgresDb(pool, url);
    await db.query("SELECT 1");
    return db;
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    try {
      const res = await this.pool.query(sql, params as unknown[]);
      return res.rows as T[];
    } finally {
      this.jobs++;
    }
  }

  async stampedRead<T>(sql: string): Promise<{ rows: T[]; stamp: number }> {
    const stamp = this.writeStamp();
    const res = await this.pool.query(sql);
    return { rows: res.rows as T[], stamp };
  }

  /** Starts listening on first use, so only a serving process holds the extra connection. */
  writeStamp(): number {
    this.listener ??= new GenerationListener(this.url);
    return this.jobs + this.listener.count();
  }

  /**
   * Runs `fn` in a transaction on one pooled connection. A deadlock or serialization failure rolls it back and
   * runs it again (`retryConflicts`), so `fn` must have no effect outside `tx` before it resolves.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return retryConflicts(() => this.transactionOnce(fn));
  }

  private async transactionOnce<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // While checked out, the client has no listener of the pool's: a connection the server terminates between
    // two statements would emit an unhandled 'error' and end the process. The statement in flight, or the next
    // one, fails with the reason instead, and the broken client is dropped on release.
    let broken: Error | undefined;
    const onError = (err: Error) => {
      broken = err;
    };
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      const result = await fn({
        query: async <R>(sql: string, params: readonly unknown[] = []) =>
          (await client.query(sql, params as unknown[])).rows as R[],
        // Without parameters node-postgres uses the simple protocol, which runs a whole multi-statement text.
        exec: async (sql: string) => {
          await client.query(sql);
        },
        copyIn: (copy: string, data: string | Buffer) => copyIn(client, copy, data),
      });
      await client.query("COMMIT");
      return result;
    } catch (err) {
      if (!broken)
        await client.query("ROLLBACK").catch((e: Error) => {
          broken = e;
        });
      throw err;
    } finally {
      client.removeListener("error", onError);
      client.release(broken);
      this.jobs++;
    }
  }

  async exec(sql: string): Promise<void> {
    try {
      await this.pool.query(sql);
    } finally {
      this.jobs++;
    }
  }

  poolStats(): { total: number; idle: number; waiting: number } {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async close(): Promise<void> {
    await this.listener?.close();
    await this.pool.end();
  }
}

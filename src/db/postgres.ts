import pg from "pg";
import { type Db, keepText, type Transaction, TYPE_OIDS, toNumber } from "./db.js";
import { GenerationListener } from "./pg-listener.js";

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
    // An idle client that loses its server must not crash the process; the next query reports it.
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

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await fn({
        query: async <R>(sql: string, params: readonly unknown[] = []) =>
          (await client.query(sql, params as unknown[])).rows as R[],
        // Without parameters node-postgres uses the simple protocol, which runs a whole multi-statement text.
        exec: async (sql: string) => {
          await client.query(sql);
        },
      });
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
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

  async close(): Promise<void> {
    await this.listener?.close();
    await this.pool.end();
  }
}

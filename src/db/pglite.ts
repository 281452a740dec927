import { PGlite } from "@electric-sql/pglite";
import { type Db, keepText, type Transaction, TYPE_OIDS, toNumber } from "./db.js";

const SHARED_BUFFERS = "16MB";

/**
 * PGlite has a single connection. Every call goes through one queue so a transaction never interleaves with
 * another caller's statements, and writes are applied one at a time (DESIGN.md principle 5).
 */
export class PgliteDb implements Db {
  readonly engine = "pglite" as const;
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(private readonly pg: PGlite) {}

  /**
   * Opens (creating if needed) the data folder `dataDir`, or an in-memory database when it is undefined; `load`,
   * a tarball from `dump()`, fills a new folder with that database.
   */
  static async open(dataDir?: string, load?: Buffer): Promise<PgliteDb> {
    const pg = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      ...(load ? { loadDataDir: new Blob([load]) } : {}),
      // PGlite's 128 MB of shared buffers live in the process's own memory (WASM): 16 MB keeps a serving process
      // near 200 MB resident before it serves (issue 6 asks ≤ 300 MB), and the OS page cache still holds the data files.
      startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${SHARED_BUFFERS}`],
      parsers: {
        [TYPE_OIDS.date]: keepText,
        [TYPE_OIDS.int8]: toNumber,
        [TYPE_OIDS.numeric]: toNumber,
      },
    });
    return new PgliteDb(pg);
  }

  /** Counts jobs run through the queue: this process holds the data folder's lock, so nothing else writes. */
  private jobs = 0;

  private enqueue<T>(fn: () => Promise<T>, counted = true): Promise<T> {
    const job = counted ? () => fn().finally(() => this.jobs++) : fn;
    const run = this.tail.then(job, job);
    this.tail = run.catch(() => undefined);
    return run;
  }

  stampedRead<T>(sql: string): Promise<{ rows: T[]; stamp: number }> {
    return this.enqueue(async () => ({ rows: (await this.pg.query<T>(sql)).rows, stamp: this.jobs }), false);
  }

  writeStamp(): number {
    return this.jobs;
  }

  query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.enqueue(async () => (await this.pg.query<T>(sql, params as unknown[])).rows);
  }

  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.enqueue(() =>
      this.pg.transaction(async (tx) =>
        fn({
          query: async <R>(sql: string, params: readonly unknown[] = []) =>
            (await tx.query<R>(sql, params as unknown[])).rows,
          exec: async (sql: string) => {
            await tx.exec(sql);
          },
        }),
      ),
    );
  }

  exec(sql: string): Promise<void> {
    return this.enqueue(async () => {
      await this.pg.exec(sql);
    });
  }

  /**
   * The whole data directory as a gzipped tarball (PGlite's `dumpDataDir`), taken between two jobs of the queue so
   * no transaction is half-way; `PgliteDb.open(dir, dump)` loads it into a new folder.
   */
  dump(): Promise<Buffer> {
    return this.enqueue(
      async () => Buffer.from(await (await this.pg.dumpDataDir("gzip")).arrayBuffer()),
      false,
    );
  }

  close(): Promise<void> {
    return this.enqueue(() => this.pg.close());
  }
}

import type pg from "pg";

/**
 * `COPY … FROM STDIN` on a node-postgres client, the whole input given as one text: a custom query object (the
 * driver's `submit` protocol, as pg-copy-streams uses it). COPY is PostgreSQL's cheapest way in for many rows: no
 * plan, no arrays to build and unnest, and the heap tuples written by page (one WAL record per page, not per row).
 */

/** The part of node-postgres's connection a custom query drives. */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(msg: string): void;
}

/** Bytes per CopyData message: under the allocator's threshold for memory of its own (128 kB), so it is reused. */
const COPY_CHUNK = 64 * 1024;

class CopyIn {
  callback?: (err: Error | null, rows?: number) => void;
  private rows = 0;
  private error: Error | null = null;
  private done = false;

  constructor(
    private readonly text: string,
    private readonly data: string | Buffer,
  ) {}

  submit(connection: CopyConnection): void {
    const sql = this.text;
    connection.query(sql);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    const data = typeof this.data === "string" ? Buffer.from(this.data, "utf8") : this.data;
    // In pieces: the driver copies each into a buffer of its own, and one of a batch's size (megabytes) was fresh
    // memory the kernel zeroed page by page for every batch (a fifth of a large import's CPU was system time).
    for (let at = 0; at < data.length; at += COPY_CHUNK)
      connection.sendCopyFromChunk(data.subarray(at, at + COPY_CHUNK));
    connection.endCopyFrom();
  }

  handleCommandComplete(msg: { text?: string }): void {
    this.rows = Number(/(\d+)$/.exec(msg.text ?? "")?.[1] ?? 0);
  }

  // The server's answer to anything but COPY (the statement was not one): refused, so the caller's bug is visible.
  handleRowDescription(): void {
    this.error ??= new Error("copyIn: the statement is not a COPY … FROM STDIN");
  }
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(_msg: unknown, connection: CopyConnection): void {
    connection.sendCopyFail("copyIn: not a COPY … FROM STDIN");
  }

  handleError(err: Error): void {
    // The client forgets this query on an error (no readyForQuery reaches it): answer now.
    this.finish(err);
  }

  handleReadyForQuery(): void {
    this.finish(this.error);
  }

  private finish(err: Error | null): void {
    if (this.done) return;
    this.done = true;
    this.callback?.(err, this.rows);
  }
}

/**
 * Runs `copy` (a `COPY table (columns) FROM STDIN` statement) with `data` as its input (text, or the bytes of the
 * binary format: src/db/copy-binary.ts); resolves to the rows copied.
 */
export function copyIn(
  client: pg.PoolClient | pg.Client,
  copy: string,
  data: string | Buffer,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const sql = new CopyIn(copy, data);
    sql.callback = (err, rows) => (err ? reject(err) : resolve(rows ?? 0));
    (client as unknown as { query(q: CopyIn): void }).query(sql);
  });
}

/**
 * A value as a field of COPY's text format: backslash, tab, newline and carriage return escaped (a JSON body holds
 * backslashes in its strings' escapes, and may hold tabs or CRs between tokens).
 */
export function copyField(v: string): string {
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : v;
}

const COPY_ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

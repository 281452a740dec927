import type { Queryable } from "../db/db.js";
import { Lru } from "../http/lru.js";
import type { FileIdentity } from "./links.js";

/**
 * Gzipped report files kept in the database (report_file_gzip, migration 011). Compressing a 28-day file of an
 * organization with tens of thousands of users costs seconds of CPU per download; clients download the same files
 * again and again (every dashboard refresh), so the first gzip download stores what it sends and the later ones send
 * those bytes. The bytes are the ones compression gives (level 6, no timestamp), so a stored file and a fresh one
 * are equal. Kept in the database, not in memory: the server's RSS stays flat and every server shares them.
 */

/**
 * Bytes per stored part: a part is read, and written, in one statement; small enough not to grow PGlite's memory
 * (WASM memory is never given back).
 */
export const PART_BYTES = 256 << 10;

/**
 * The version of a users or user-teams file's content, as SQL over $1 (first day) and $2 (last day): the
 * processing generation of each of its days. Only processing a day writes its records and user-team rows (late
 * events, a directory change, an import all go through it) and every run gives the day a new generation, so a
 * stored file of an older version is never sent. Not for aggregates: processing a day also recounts the
 * aggregates of the days after it.
 */
const VERSION_SQL = `(SELECT coalesce(string_agg(day::text || '=' || coalesce(generation::text, ''), ',' ORDER BY day), '')
  FROM processed_days WHERE day BETWEEN $1 AND $2)`;

/**
 * Parts read per query (1 MiB): a download of a stored file was one round trip per 256 KiB part, which on PGlite
 * (every query crossing into its worker) and under load set its speed; a few parts a query keep the result, and
 * PGlite's WASM memory, small.
 */
const PARTS_PER_READ = 4;

/** The version a users or user-teams file's content has now (see VERSION_SQL): one small query. */
export async function fileVersion(db: Queryable, f: FileIdentity): Promise<string> {
  const [row] = await db.query<{ version: string }>(`SELECT ${VERSION_SQL} AS version`, [f.first, f.last]);
  return row?.version ?? "";
}

/**
 * The gzipped files sent most recently, in memory as well: a dashboard refresh downloads the same files again, and
 * reading a stored file back (a query per megabyte, base64 decoded) cost three times what sending it does. Keyed by
 * name and version like the stored files, so an entry is never stale; bounded by bytes (a 28-day file of 50,000
 * records is about 1.3 MB gzipped) so the server's RSS stays flat. One per app (two apps in a process share
 * nothing).
 */
export class RecentFiles {
  private readonly files: Lru<Buffer>;

  /**
   * @param maxBytes bytes held in all
   * @param maxFileBytes larger files are not kept (they would push out many smaller ones)
   */
  constructor(
    maxBytes = 32 << 20,
    readonly maxFileBytes = 8 << 20,
  ) {
    this.files = new Lru<Buffer>(256, maxBytes, (b) => b.length);
  }

  get(name: string, version: string): Buffer | undefined {
    return this.files.get(`${name}\n${version}`);
  }

  set(name: string, version: string, bytes: Buffer): void {
    if (bytes.length <= this.maxFileBytes) this.files.set(`${name}\n${version}`, bytes);
  }

  /**
   * Passes `chunks` through and keeps the whole file once the last chunk is sent; nothing when the sending stops
   * early (the client left) or the file outgrows `maxFileBytes`.
   */
  async *keepWhileSending(
    chunks: AsyncIterable<Buffer>,
    name: string,
    version: string,
  ): AsyncGenerator<Buffer> {
    let kept: Buffer[] | null = [];
    let bytes = 0;
    for await (const chunk of chunks) {
      yield chunk;
      if (kept === null) continue;
      bytes += chunk.length;
      if (bytes > this.maxFileBytes) kept = null;
      else kept.push(chunk);
    }
    if (kept !== null) this.set(name, version, Buffer.concat(kept, bytes));
  }

  /** Files and bytes held (tests and diagnostics). */
  get stats(): { entries: number; bytes: number } {
    return this.files.stats;
  }
}

/**
 * A stored file: its version, and when it is stored completely its part count and first parts (`head`, up to
 * PARTS_PER_READ; `first` is part 0). One round trip for the link answer's usual file of a megabyte or less.
 */
export async function lookupStored(
  db: Queryable,
  name: string,
  f: FileIdentity,
): Promise<{ version: string; parts: number | null; first: Buffer | null; head: Buffer[] }> {
  const rows = await db.query<{ version: string; part: number | null; bytes: string | null }>(
    `SELECT v.version, g.part, g.bytes FROM ${VERSION_SQL} AS v(version)
     LEFT JOIN report_file_gzip g ON g.name = $3 AND g.version = v.version AND g.part BETWEEN -1 AND $4
     ORDER BY g.part`,
    [f.first, f.last, name, PARTS_PER_READ - 1],
  );
  const version = rows[0]?.version ?? "";
  let parts: number | null = null;
  const head: Buffer[] = [];
  for (const r of rows) {
    if (r.part === -1 && r.bytes !== null) {
      const n = Number(r.bytes);
      if (Number.isInteger(n) && n >= 0) parts = n;
    } else if (r.part !== null && r.part === head.length && r.bytes !== null)
      head.push(Buffer.from(r.bytes, "base64"));
  }
  if (parts === null || parts === 0) return { version, parts, first: null, head: [] };
  const kept = head.slice(0, parts);
  return { version, parts, first: kept[0] ?? null, head: kept };
}

/**
 * A stored file's bytes, PARTS_PER_READ parts a query and a chunk, the parts of `head` (part 0 on) already read.
 */
export async function* readStored(
  db: Queryable,
  name: string,
  version: string,
  parts: number,
  head: Buffer | readonly Buffer[] | null,
): AsyncGenerator<Buffer> {
  const known = head === null ? [] : Buffer.isBuffer(head) ? [head] : head;
  if (known.length > 0) yield known.length === 1 ? known[0]! : Buffer.concat(known);
  for (let i = known.length; i < parts; i += PARTS_PER_READ) {
    const end = Math.min(parts, i + PARTS_PER_READ);
    const rows = await db.query<{ part: number; bytes: string }>(
      `SELECT part, bytes FROM report_file_gzip WHERE name = $1 AND version = $2 AND part >= $3 AND part < $4
       ORDER BY part`,
      [name, version, i, end],
    );
    // A part gone meanwhile (a newer version replaced this one): the download fails rather than sending a
    // truncated file as if it were whole.
    const bufs: Buffer[] = [];
    for (let p = i; p < end; p++) {
      const row = rows[p - i];
      if (row?.part !== p) throw new Error(`stored report file ${name} lost part ${p}`);
      bufs.push(Buffer.from(row.bytes, "base64"));
    }
    yield bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs);
  }
}

/**
 * Passes `gzip`'s chunks through unchanged and stores them as parts of exactly PART_BYTES (the last one shorter),
 * then the completion mark, then drops the file's other versions. Parts are cut at fixed offsets, so two servers
 * storing the same file at once write the same rows (ON CONFLICT DO NOTHING). A download that stops midway stores
 * no mark, and the next one compresses again. A failing write stops the storing, never the download.
 */
export async function* storeWhileSending(
  db: Queryable,
  gzip: AsyncIterable<Buffer>,
  name: string,
  version: string,
  days: { first: string; last: string },
  partBytes = PART_BYTES,
): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let part = 0;
  let storing = true;
  const put = async (p: number, bytes: string) => {
    if (!storing) return;
    try {
      await db.query(
        `INSERT INTO report_file_gzip (name, version, part, first_day, last_day, bytes)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name, version, part) DO NOTHING`,
        [name, version, p, days.first, days.last, bytes],
      );
    } catch {
      storing = false;
    }
  };
  for await (const chunk of gzip) {
    yield chunk;
    pending.push(chunk);
    pendingBytes += chunk.length;
    while (pendingBytes >= partBytes) {
      const all = Buffer.concat(pending, pendingBytes);
      await put(part++, all.subarray(0, partBytes).toString("base64"));
      const rest = all.subarray(partBytes);
      pending = rest.length > 0 ? [Buffer.from(rest)] : [];
      pendingBytes = rest.length;
    }
  }
  if (pendingBytes > 0) await put(part++, Buffer.concat(pending, pendingBytes).toString("base64"));
  await put(-1, String(part));
  if (storing)
    await db
      .query("DELETE FROM report_file_gzip WHERE name = $1 AND version <> $2", [name, version])
      .catch(() => undefined);
}

/**
 * Drops the stored files that processing `day` makes stale (they hold it) or unreachable (28-day files of a window
 * before the latest one: the latest route no longer links them, and their links expire within the hour). Their
 * version would keep them from being sent anyway; this keeps the table from growing by a window a day.
 */
export async function dropStaleFiles(tx: Queryable, day: string): Promise<void> {
  await tx.query(
    `DELETE FROM report_file_gzip WHERE (first_day <= $1 AND last_day >= $1)
       OR (first_day < last_day AND last_day < (SELECT greatest(max(day), $1) FROM processed_days))`,
    [day],
  );
}

/** Drops stored files whose last day is before `firstKept` (the retention). */
export async function pruneStoredFiles(db: Queryable, firstKept: string): Promise<void> {
  await db.query("DELETE FROM report_file_gzip WHERE last_day < $1", [firstKept]);
}

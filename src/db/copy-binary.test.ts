import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CopyBinaryWriter } from "./copy-binary.js";
import { PostgresDb } from "./postgres.js";
import { createScratchDatabase } from "./scratch.js";

describe("CopyBinaryWriter", () => {
  it("writes the header, each field as length and bytes, and the trailer (worked out from PostgreSQL's docs)", () => {
    const bytes = new CopyBinaryWriter(16).row(4).int4(258).text("é").date("2000-01-02").bool(true).finish();
    expect([...bytes]).toEqual([
      // PGCOPY\n\377\r\n\0, flags 0, header extension 0
      0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
      // 4 fields
      0, 4,
      // int4 258
      0, 0, 0, 4, 0, 0, 1, 2,
      // "é" is 2 bytes of UTF-8
      0, 0, 0, 2, 0xc3, 0xa9,
      // 2000-01-02 is day 1 of PostgreSQL's epoch
      0, 0, 0, 4, 0, 0, 0, 1,
      // true
      0, 0, 0, 1, 1,
      // trailer: -1
      0xff, 0xff,
    ]);
  });

  it("writes int8 as two's complement beyond 32 bits, and grows past its first buffer", () => {
    const w = new CopyBinaryWriter(64);
    w.row(2)
      .int8(2 ** 40 + 5)
      .int8(-2);
    const long = "x".repeat(10_000);
    w.row(1).text(long);
    const b = w.finish();
    const at = 19 + 2;
    expect(b.readInt32BE(at)).toBe(8);
    expect(b.readBigInt64BE(at + 4)).toBe(2n ** 40n + 5n);
    expect(b.readBigInt64BE(at + 16)).toBe(-2n);
    expect(b.readInt32BE(at + 24 + 2)).toBe(10_000);
    expect(b.length).toBe(19 + 2 + 24 + 2 + 4 + 10_000 + 2);
  });

  it("refuses a day that is not one, rather than writing a wrong date", () => {
    expect(() => new CopyBinaryWriter().row(1).date("2026-13-01")).toThrow(/not a day/);
  });
});

/** On the real PostgreSQL: every kind of field comes back as written. */
describe.runIf(process.env.DATABASE_URL)("CopyBinaryWriter into PostgreSQL", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: PostgresDb;
  beforeAll(async () => {
    scratch = await createScratchDatabase(process.env.DATABASE_URL!, "pilotlog_copy_binary");
    db = await PostgresDb.open(scratch.url);
    await db.exec(
      "CREATE TABLE t (k int PRIMARY KEY, v text NOT NULL, d date NOT NULL, n bigint NOT NULL, b boolean)",
    );
  });
  afterAll(async () => {
    await db?.close();
    await scratch?.drop();
  });

  it("copies texts (short, long, escaped in JSON, non-ASCII, empty), days, large and negative counts, booleans", async () => {
    const texts = ['{"a":"b\\"c\\\\"}', "tab\there\r\n", "ü€😀", "", `${"y".repeat(5000)}é`, "unit\u001fsep"];
    const days = ["2024-02-29", "1999-12-31", "2000-01-01", "2026-12-03", "2038-01-20", "2026-04-02"];
    const counts = [0, 1, 2 ** 32, 2 ** 53 - 1, -7, 123_456_789_012];
    const w = new CopyBinaryWriter(32);
    for (const [i, v] of texts.entries())
      w.row(5)
        .int4(i)
        .text(v)
        .date(days[i]!)
        .int8(counts[i]!)
        .bool(i % 2 === 0);
    const rows = await db.transaction(async (tx) =>
      tx.copyIn!("COPY t (k, v, d, n, b) FROM STDIN WITH (FORMAT binary)", w.finish()),
    );
    expect(rows).toBe(texts.length);
    const back = await db.query<{ v: string; d: string; n: string; b: boolean }>(
      "SELECT v, d::text AS d, n::text AS n, b FROM t ORDER BY k",
    );
    expect(back).toEqual(texts.map((v, i) => ({ v, d: days[i], n: String(counts[i]), b: i % 2 === 0 })));
  });
});

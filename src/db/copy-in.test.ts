import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyField } from "./copy-in.js";
import { PostgresDb } from "./postgres.js";
import { createScratchDatabase } from "./scratch.js";

describe("copyField", () => {
  it("escapes what COPY's text format reads specially, and nothing else", () => {
    expect(copyField('{"a":"b\\"c"}')).toBe('{"a":"b\\\\"c"}');
    expect(copyField("a\tb\nc\rd")).toBe("a\\tb\\nc\\rd");
    expect(copyField("plain ünïcode")).toBe("plain ünïcode");
  });
});

/** On the real PostgreSQL: texts come back byte for byte, a failed COPY fails its caller with the server's code. */
describe.runIf(process.env.DATABASE_URL)("copyIn on PostgreSQL", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: PostgresDb;
  beforeAll(async () => {
    scratch = await createScratchDatabase(process.env.DATABASE_URL!, "pilotlog_copy");
    db = await PostgresDb.open(scratch.url);
    await db.exec("CREATE TABLE t (k int PRIMARY KEY, v text NOT NULL)");
  });
  afterAll(async () => {
    await db?.close();
    await scratch?.drop();
  });

  it("copies rows whose texts hold backslashes, tabs, newlines, U+001F and non-ASCII", async () => {
    const values = ['{"a":"b\\"c\\\\"}', "tab\there", "line\nbreak\r", "unit\u001fsep", "ü€😀", ""];
    const rows = await db.transaction(async (tx) =>
      tx.copyIn!("COPY t (k, v) FROM STDIN", values.map((v, i) => `${i}\t${copyField(v)}\n`).join("")),
    );
    expect(rows).toBe(values.length);
    const back = await db.query<{ v: string }>("SELECT v FROM t ORDER BY k");
    expect(back.map((r) => r.v)).toEqual(values);
  });

  it("rejects with the server's error (a duplicate key: 23505), and the connection stays usable", async () => {
    const err = await db
      .transaction((tx) => tx.copyIn!("COPY t (k, v) FROM STDIN", "0\tagain\n"))
      .catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe("23505");
    const [n] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM t");
    expect(n!.n).toBe(6);
  });
});

import { get as httpGet } from "node:http";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../../test/helpers/db.js";
import { type Harness, startHarness } from "../../test/helpers/harness.js";
import { lookupStored, RecentFiles, readStored, storeWhileSending } from "./gzip-cache.js";
import type { FileIdentity } from "./links.js";

const DIRECTORY = `
organizations:
  - login: acme
    owners: [owner]
    members: [u1, u2, u3, u4, u5]
    seats: [u1, u2, u3, u4, u5]
tokens:
  - { token: tok_owner, user: owner, kind: classic, scopes: [read:org] }
  - { token: tok_relay, kind: ingest }
`;

let seq = 0;
const completion = (user: string, lines: number) => ({
  id: `g-${++seq}`,
  type: "completion.suggested",
  user,
  timestamp: "2026-11-19T10:00:00Z",
  editor: "vscode",
  language: "go",
  lines,
});

function rawGzip(link: string): Promise<{ encoding: string | undefined; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(link, { headers: { "accept-encoding": "gzip" } }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () =>
        resolve({ encoding: res.headers["content-encoding"], bytes: Buffer.concat(parts) }),
      );
      res.on("error", reject);
    }).on("error", reject);
  });
}

async function* chunks(sizes: number[]): AsyncGenerator<Buffer> {
  let b = 0;
  for (const n of sizes) yield Buffer.from(Array.from({ length: n }, () => b++ % 256));
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

describe("recent files in memory", () => {
  it("keeps a file sent whole, under its name and version only", async () => {
    const recent = new RecentFiles(100, 50);
    const sent = await collect(recent.keepWhileSending(chunks([10, 5, 7]), "a.ndjson", "v1"));
    expect(recent.get("a.ndjson", "v1")).toEqual(sent);
    expect(recent.get("a.ndjson", "v2")).toBeUndefined();
    expect(recent.get("b.ndjson", "v1")).toBeUndefined();
  });

  it("keeps nothing when the sending stops midway or the file outgrows the limit", async () => {
    const recent = new RecentFiles(100, 20);
    const it = recent.keepWhileSending(chunks([4, 4, 4]), "a.ndjson", "v1");
    await it.next();
    await it.return(undefined);
    expect(recent.get("a.ndjson", "v1")).toBeUndefined();
    const big = await collect(recent.keepWhileSending(chunks([15, 15]), "b.ndjson", "v1"));
    expect(big).toHaveLength(30); // sent whole all the same
    expect(recent.get("b.ndjson", "v1")).toBeUndefined();
    expect(recent.stats).toEqual({ entries: 0, bytes: 0 });
  });

  it("drops the least recently used files past its byte bound", async () => {
    const recent = new RecentFiles(25, 20);
    recent.set("a", "v", Buffer.alloc(10));
    recent.set("b", "v", Buffer.alloc(10));
    expect(recent.get("a", "v")).toBeDefined(); // a is now the most recent
    recent.set("c", "v", Buffer.alloc(10));
    expect(recent.get("b", "v")).toBeUndefined();
    expect(recent.get("a", "v")).toBeDefined();
    expect(recent.get("c", "v")).toBeDefined();
    expect(recent.stats.bytes).toBe(20);
  });
});

for (const backend of backends) {
  describe(`stored gzip report files on ${backend.name}`, () => {
    let h: Harness;
    const usersFile = async () => {
      const res = await h.get("/orgs/acme/copilot/metrics/reports/users-1-day?day=2026-11-19", "tok_owner");
      expect(res.status).toBe(200);
      return ((await res.json()) as { download_links: string[] }).download_links[0]!;
    };

    beforeAll(async () => {
      h = await startHarness(backend, "2026-11-20T12:00:00Z");
      await h.apply(DIRECTORY);
      expect((await h.send("tok_relay", [completion("u1", 4), completion("u2", 2)])).status).toBe(202);
      await h.process();
    });
    afterAll(() => h?.close());

    it("stores parts at fixed offsets with a completion mark, and gives back the same bytes", async () => {
      const f: FileIdentity = {
        kind: "users-1-day",
        scope: "org:999",
        first: "2026-11-19",
        last: "2026-11-19",
        after: "",
        upTo: "",
      };
      const sizes = [5, 3, 10, 1];
      const sent = await collect(
        storeWhileSending(
          h.db,
          chunks(sizes),
          "t1.ndjson",
          (await lookupStored(h.db, "t1.ndjson", f)).version,
          f,
          4,
        ),
      );
      expect(sent).toEqual(await collect(chunks(sizes)));
      const stored = await lookupStored(h.db, "t1.ndjson", f);
      expect(stored.parts).toBe(5); // 19 bytes in parts of 4
      expect(stored.first).toEqual(sent.subarray(0, 4));
      expect(
        await collect(readStored(h.db, "t1.ndjson", stored.version, stored.parts!, stored.first)),
      ).toEqual(sent);
    });

    it("keeps no file whose download stopped midway", async () => {
      const f: FileIdentity = {
        kind: "users-1-day",
        scope: "org:999",
        first: "2026-11-19",
        last: "2026-11-19",
        after: "",
        upTo: "",
      };
      const it = storeWhileSending(h.db, chunks([4, 4, 4]), "t2.ndjson", "v", f, 4);
      await it.next();
      await it.return(undefined);
      expect((await lookupStored(h.db, "t2.ndjson", f)).parts).toBeNull();
    });

    it("sends the stored bytes again, and new bytes once the day is processed again", async () => {
      const link = await usersFile();
      const first = await rawGzip(link);
      expect(first.encoding).toBe("gzip");
      const [{ n }] = (await h.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM report_file_gzip WHERE part = -1",
      )) as [{ n: number }];
      expect(n).toBeGreaterThan(0);
      const again = await rawGzip(link);
      expect(again.bytes.equals(first.bytes)).toBe(true);
      const plain = await (await fetch(link, { headers: { "accept-encoding": "identity" } })).text();
      expect(gunzipSync(first.bytes).toString()).toBe(plain);
      expect(plain.split("\n").filter(Boolean)).toHaveLength(2);

      // A late event for the day: processed again, the same link now gives the new records, gzipped or not.
      expect((await h.send("tok_relay", [completion("u3", 7)])).status).toBe(202);
      expect(await h.process()).toEqual(["2026-11-19"]);
      const after = await rawGzip(link);
      const text = gunzipSync(after.bytes).toString();
      expect(text.split("\n").filter(Boolean)).toHaveLength(3);
      expect(text).toBe(await (await fetch(link, { headers: { "accept-encoding": "identity" } })).text());
      expect((await rawGzip(link)).bytes.equals(after.bytes)).toBe(true);
    });

    it("sends a file kept in memory without reading its stored parts", async () => {
      const link = await usersFile();
      const first = await rawGzip(link);
      // Stored parts gone (as another server's processing would drop them): the version is unchanged, so the
      // copy in memory is still the file's bytes.
      await h.db.query("DELETE FROM report_file_gzip");
      expect((await rawGzip(link)).bytes.equals(first.bytes)).toBe(true);
      expect(await h.db.query("SELECT 1 FROM report_file_gzip")).toHaveLength(0);
    });
  });
}

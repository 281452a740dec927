/**
 * Where the OTLP ingest time goes, statement by statement (in-process, sequential, no HTTP): the batches of
 * bench/otlp.ts decoded and ingested one after another, every query timed by its first words.
 *
 *   [DATABASE_URL=…] node --import tsx bench/otlp-sql.ts [--quick] [--logs | --metrics]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db, Queryable } from "../src/db/db.js";
import { openDatabase } from "../src/db/open.js";
import { createScratchDatabase } from "../src/db/scratch.js";
import { decodeExport } from "../src/otlp/decode.js";
import { ingestOtlp } from "../src/otlp/ingest.js";
import { OTLP_LIMITS } from "../src/otlp/route.js";
import { logBatches, metricBatches } from "./otlp-batches.js";

const quick = process.argv.includes("--quick");
const TODAY = "2026-11-20";
const START_MS = Date.parse(`${TODAY}T09:00:00Z`);
const times = new Map<string, { n: number; ms: number }>();
function timed(q: Queryable): Queryable {
  return {
    async query(sql, params) {
      const t = performance.now();
      try {
        return await q.query(sql, params);
      } finally {
        const k = sql.replace(/\s+/g, " ").trim().slice(0, 70);
        const e = times.get(k) ?? { n: 0, ms: 0 };
        e.n++;
        e.ms += performance.now() - t;
        times.set(k, e);
      }
    },
  } as Queryable;
}

const dir = mkdtempSync(join(tmpdir(), "pilotlog-otlp-sql-"));
const scratch = process.env.DATABASE_URL
  ? await createScratchDatabase(process.env.DATABASE_URL, "pilotlog_bench")
  : null;
const opened = await openDatabase({ databaseUrl: scratch?.url ?? null, dataDir: dir, command: "bench" });
const raw = opened.db;
const db: Db = Object.assign(Object.create(raw) as Db, {
  query: timed(raw).query,
  transaction: <T>(fn: (tx: never) => Promise<T>) =>
    raw.transaction((tx) => fn({ ...tx, query: timed(tx).query, exec: tx.exec.bind(tx) } as never)),
});
const now = new Date(`${TODAY}T12:00:00Z`);
const opts = { now, today: TODAY, earliestDay: "2026-10-24" };
for (const [signal, set] of [
  [
    "metrics",
    metricBatches({
      users: quick ? 250 : 2000,
      rounds: quick ? 4 : 6,
      usersPerRequest: 25,
      startMs: START_MS,
    }),
  ],
  [
    "logs",
    logBatches({
      users: quick ? 250 : 2000,
      records: quick ? 40_000 : 200_000,
      perRequest: 1000,
      startMs: START_MS,
    }),
  ],
] as const) {
  if (process.argv.includes(signal === "logs" ? "--metrics" : "--logs")) continue;
  times.clear();
  let items = 0;
  let decodeMs = 0;
  const t0 = performance.now();
  for (const body of set.bodies) {
    const d0 = performance.now();
    const { batch } = decodeExport(
      signal,
      body,
      { contentType: "application/x-protobuf", contentEncoding: undefined },
      OTLP_LIMITS,
    );
    decodeMs += performance.now() - d0;
    items += batch.items.length;
    await ingestOtlp(db, batch, { kind: "relay" }, opts);
  }
  const total = performance.now() - t0;
  let sqlMs = 0;
  for (const e of times.values()) sqlMs += e.ms;
  console.log(
    `[${raw.engine} ${signal}] ${items} items in ${total.toFixed(0)} ms: ${Math.round(items / (total / 1000))}/s; decode ${decodeMs.toFixed(0)} ms, SQL ${sqlMs.toFixed(0)} ms, other ${(total - decodeMs - sqlMs).toFixed(0)} ms`,
  );
  for (const [k, e] of [...times].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12))
    console.log(`  ${e.ms.toFixed(0).padStart(6)} ms ${String(e.n).padStart(5)}× ${k}`);
}
await opened.close();
await scratch?.drop();
rmSync(dir, { recursive: true, force: true });

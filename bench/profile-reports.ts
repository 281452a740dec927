/** Phase timings of processDay's report half (a development aid): node --import tsx bench/profile-reports.ts N */
import { processDay } from "../src/rollup/process.js";
import { DAY, open, seed, TODAY } from "./world.js";

const users = Number(process.argv[2] ?? "5000");
const { db, close } = await open(process.env.DATABASE_URL ? "postgres" : "pglite");
await seed(db, users);
const orig = db.transaction.bind(db);
// Times every statement of the processing transaction, grouped by its first words.
db.transaction = (fn) =>
  orig((tx) => {
    const q = tx.query.bind(tx);
    const times = new Map<string, number>();
    tx.query = async (sql: string, params?: readonly unknown[]) => {
      const t = performance.now();
      try {
        return await q(sql, params);
      } finally {
        const k = sql.replace(/\s+/g, " ").slice(0, 60);
        times.set(k, (times.get(k) ?? 0) + performance.now() - t);
      }
    };
    return fn(tx).finally(() => {
      for (const [k, ms] of [...times].sort((a, b) => b[1] - a[1]).slice(0, 12))
        console.log(ms.toFixed(0).padStart(7), k);
    });
  }) as never;
const t = performance.now();
await processDay(db, DAY, new Date(`${TODAY}T00:10:00Z`));
console.log("total", (performance.now() - t).toFixed(0));
await close();

/**
 * Phase timings of `apply` (a development aid): parsing and validating the bench's directory file, then every
 * statement of a first apply, a repeat and a repeat with one change that took more than 20 ms, and the SQL total
 * (the rest is JavaScript).
 *
 *   [DATABASE_URL=…] node --import tsx bench/profile-apply.ts [users]
 */
import { applyDirectoryText } from "../src/directory/apply.js";
import { parseDirectoryFile } from "../src/directory/file.js";
import { Checker } from "../src/directory/validate.js";
import { world } from "./apply-world.js";
import { open, TODAY } from "./world.js";

const users = Number(process.argv[2] ?? "100000");
const { text } = world(users);
const known = { enterprises: new Set<string>(), organizations: new Set<string>() };
for (let k = 0; k < 3; k++) {
  let t = performance.now();
  const raw: unknown = JSON.parse(text);
  const parse = performance.now() - t;
  t = performance.now();
  new Checker("bench.json", known).root(raw);
  const check = performance.now() - t;
  t = performance.now();
  parseDirectoryFile(text, "bench.json", known);
  const all = performance.now() - t;
  console.log(
    `JSON.parse ${parse.toFixed(0)} ms, validation (Checker) ${check.toFixed(0)} ms, parseDirectoryFile ${all.toFixed(0)} ms`,
  );
}
const { db, close } = await open(process.env.DATABASE_URL ? "postgres" : "pglite");
const transaction = db.transaction.bind(db);
db.transaction = ((fn) =>
  transaction((tx) => {
    const query = tx.query.bind(tx);
    let sql = 0;
    tx.query = async (text: string, params?: readonly unknown[]) => {
      const t = performance.now();
      try {
        return await query(text, params);
      } finally {
        const ms = performance.now() - t;
        sql += ms;
        if (ms > 20) console.log(ms.toFixed(0).padStart(7), text.replace(/\s+/g, " ").slice(0, 90));
      }
    };
    return fn(tx).finally(() => console.log(`  SQL ${sql.toFixed(0)} ms`));
  })) as typeof db.transaction;
for (const [label, file] of [
  ["first", text],
  ["repeat", text],
  ["one change", world(users, 1).text],
] as const) {
  const t = performance.now();
  await applyDirectoryText(db, file, "bench.json", { today: TODAY, windowDays: 28 });
  console.log(`${label}: ${(performance.now() - t).toFixed(0)} ms`);
}
await close();

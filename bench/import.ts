/**
 * Import benchmark (issue 17): `runImport` of a users-28-day NDJSON file (one record per user and day, three
 * features, one IDE, as GitHub writes them) into PGlite and PostgreSQL (DATABASE_URL), beside a parse-only baseline
 * (the same reading, checking and fact rebuilding with a sink that stores nothing) in the same run. Targets:
 * ≥ 20,000 records/s on PostgreSQL, ≥ 5,000 on PGlite, peak RSS ≤ 300 MB (in this process, PGlite included).
 *
 * PGlite runs on a data folder on disk, as `pilotlog import` does (in memory, the 3 GB of records would be the
 * process's own memory). The file is written first, streaming, outside the timed part.
 *
 *   node --import tsx bench/import.ts [--quick] [--users N] [--only pglite|postgres|parse]
 */
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db } from "../src/db/db.js";
import { migrate } from "../src/db/migrate.js";
import { PgliteDb } from "../src/db/pglite.js";
import { PostgresDb } from "../src/db/postgres.js";
import { createScratchDatabase } from "../src/db/scratch.js";
import { type ImportSink, runImport } from "../src/import/run.js";
import { databaseSink } from "../src/import/sink.js";
import { addDays } from "../src/util/time.js";

const quick = process.argv.includes("--quick");
const usersArg = process.argv.indexOf("--users");
const users = usersArg >= 0 ? Number(process.argv[usersArg + 1]) : quick ? 2_000 : 100_000;
const onlyArg = process.argv.indexOf("--only");
const only = onlyArg >= 0 ? process.argv[onlyArg + 1] : null;
const DAYS = 28;
const FIRST = "2026-10-01";

const c = (uic: number, gen: number, acc: number) =>
  `"user_initiated_interaction_count":${uic},"code_generation_activity_count":${gen},"code_acceptance_activity_count":${acc},"loc_suggested_to_add_sum":${gen * 3},"loc_suggested_to_delete_sum":0,"loc_added_sum":${acc * 2},"loc_deleted_sum":0`;

async function writeFile(path: string): Promise<number> {
  const out = createWriteStream(path);
  let n = 0;
  for (let u = 0; u < users; u++) {
    let chunk = "";
    for (let d = 0; d < DAYS; d++) {
      const day = addDays(FIRST, d);
      const gen = 5 + ((u + d) % 7);
      const acc = (u + d) % 4;
      chunk += `{"user_id":${u + 1},"user_login":"user${u}","day":"${day}","organization_id":"1","report_start_day":"${FIRST}","report_end_day":"${addDays(FIRST, DAYS - 1)}",${c(2, gen + 1, acc)},"used_agent":false,"used_chat":true,"used_cli":false,"totals_by_ide":[{"ide":"vscode",${c(2, gen + 1, acc)}}],"totals_by_feature":[{"feature":"chat_panel_ask_mode",${c(2, 1, 0)}},{"feature":"code_completion",${c(0, gen, acc)}}],"totals_by_language_feature":[{"language":"typescript","feature":"code_completion",${c(0, gen, acc).replace('"user_initiated_interaction_count":0,', "")}}],"totals_by_language_model":[],"totals_by_model_feature":[{"model":"gpt-4o","feature":"chat_panel_ask_mode",${c(2, 1, 0)}}]}\n`;
      n++;
    }
    if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return n;
}

let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);

async function timed(label: string, file: string, sink: ImportSink, records: number): Promise<number> {
  peak = 0;
  const t = performance.now();
  const s = await runImport([file], sink);
  const secs = (performance.now() - t) / 1000;
  if (s.records !== records && label !== "parse only")
    throw new Error(`${label}: imported ${s.records} of ${records}`);
  const rate = records / secs;
  console.log(
    `  ${label.padEnd(12)} ${records} records in ${secs.toFixed(1)} s: ${Math.round(rate).toLocaleString("en")} records/s, peak RSS ${Math.round(peak / 2 ** 20)} MB`,
  );
  return rate;
}

const nullSink: ImportSink = {
  records: async (b) => ({ records: b.length, unplaced: [], days: new Set() }),
  teams: async (b) => ({ rows: b.length, teamsCreated: 0, unplaced: [], days: new Set() }),
};

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "pilotlog-bench-import-"));
  const file = join(dir, "users-28-day.ndjson");
  try {
    const records = await writeFile(file);
    console.log(
      `import: users-28-day file of ${users} users (${records} records)${quick ? " (--quick)" : ""}`,
    );
    const load = () => execFileSync("uptime", { encoding: "utf8" }).trim();
    console.log(`  machine: ${load()}`);
    const base = await timed("parse only", file, nullSink, records);
    const targets: {
      name: string;
      open: () => Promise<{ db: Db; close: () => Promise<void> }>;
      target: number;
    }[] = [
      {
        name: "PGlite",
        target: 5_000,
        open: async () => {
          const folder = mkdtempSync(join(tmpdir(), "pilotlog-bench-import-pglite-"));
          const db = await PgliteDb.open(folder);
          return {
            db,
            close: async () => {
              await db.close();
              rmSync(folder, { recursive: true, force: true });
            },
          };
        },
      },
    ];
    if (process.env.DATABASE_URL && only !== "pglite")
      targets.push({
        name: "PostgreSQL",
        target: 20_000,
        open: async () => {
          const scratch = await createScratchDatabase(process.env.DATABASE_URL!, "pilotlog_bench_import");
          const db = await PostgresDb.open(scratch.url);
          return {
            db,
            close: async () => {
              await db.close();
              await scratch.drop();
            },
          };
        },
      });
    if (only === "postgres") targets.shift();
    if (only === "parse") targets.length = 0;
    for (const t of targets) {
      const { db, close } = await t.open();
      try {
        await migrate(db);
        const rate = await timed(
          t.name,
          file,
          databaseSink(db, { org: "bench-org", enterprise: null }),
          records,
        );
        console.log(`  machine: ${load()}`);
        console.log(
          `    ${(rate / base).toFixed(2)} of parse-only; target ≥ ${t.target.toLocaleString("en")}/s: ${rate >= t.target ? "met" : "NOT met"}; RSS target ≤ 300 MB: ${peak <= 300 * 2 ** 20 ? "met" : "NOT met"}`,
        );
      } finally {
        await close();
      }
    }
  } finally {
    clearInterval(sampler);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

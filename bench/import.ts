/**
 * Import benchmark (issue 17): `runImport` of a users-28-day NDJSON file (one record per user and day, three
 * features, one IDE, as GitHub writes them) into PGlite and PostgreSQL (DATABASE_URL), beside a parse-only baseline
 * (the same reading, checking and fact rebuilding with a sink that stores nothing) in the same run. Targets:
 * ≥ 20,000 records/s on PostgreSQL, ≥ 5,000 on PGlite, peak RSS ≤ 300 MB, 100,000 users (2.8 million records).
 *
 * The file is written first, streaming, outside the timed part. Each run is its own process, as `pilotlog import`
 * is, and that process samples its own RSS every 50 ms and reports its peak (VmHWM) too. PGlite imports into a
 * data folder created and migrated beforehand by another process, as `pilotlog import` finds one (creating a
 * folder runs initdb, which alone takes PGlite to ~750 MB for a moment).
 *
 * `--cli` imports with the built `pilotlog import` (run `npm run build` first) instead of `runImport` in a bench
 * process: the importing process is then the product itself, without the TypeScript loader.
 *
 *   node --import tsx bench/import.ts [--quick] [--users N] [--only pglite|postgres|parse] [--cli]
 *   node --import tsx bench/import.ts --users N --write FILE   (only writes the file, for profiling by hand)
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
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

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const quick = process.argv.includes("--quick");
const users = arg("--users") ? Number(arg("--users")) : quick ? 2_000 : 100_000;
const only = arg("--only") ?? null;
/** Import through the built `pilotlog import` instead of `runImport` in a bench process (tsx adds ~70 MB of RSS). */
const cli = process.argv.includes("--cli");
const DAYS = 28;
const FIRST = "2026-10-01";
const RSS_TARGET_MB = 300;

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

const nullSink: ImportSink = {
  records: async (b) => ({ records: b.length, unplaced: [], days: new Set() }),
  teams: async (b) => ({ rows: b.length, teamsCreated: 0, orgTeamRows: 0, unplaced: [], days: new Set() }),
};

interface ChildResult {
  records: number;
  secs: number;
  /** Largest RSS sampled every 50 ms while importing, MB. */
  sampledMb: number;
  /** The process's peak RSS (VmHWM: from its start, opening the database included), MB. */
  hwmMb: number;
  /** CPU seconds of this process (PostgreSQL's own work is in its server processes). */
  cpuS: number;
  /** CPU seconds of the PostgreSQL server processes serving the import's database (`--cli` only), when local. */
  serverCpuS?: number;
}

/** utime + stime of a process, in seconds (clock ticks of 1/100 s), or null once it is gone. */
function cpuOfPid(pid: number | string): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(stat[11]) + Number(stat[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * The backends of database `name` on a PostgreSQL server on this machine, by their process title
 * (`postgres: … user name host …`): what each has used so far, kept by pid (a backend's last sample stands once
 * it has exited).
 */
function sampleBackends(name: string, into: Map<string, number>): void {
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue;
    }
    if (!cmd.startsWith("postgres: ") || !cmd.split(" ").includes(name)) continue;
    const cpu = cpuOfPid(pid);
    if (cpu !== null) into.set(pid, cpu);
  }
}

/** One timed import in this process: `--child parse|pglite|postgres FILE [DIR|URL]`. */
async function child(kind: string, file: string, where: string | undefined): Promise<void> {
  let db: Db | null = null;
  if (kind === "pglite") db = await PgliteDb.open(where!);
  if (kind === "postgres") db = await PostgresDb.open(where!);
  let sampled = 0;
  const sampler = setInterval(() => {
    sampled = Math.max(sampled, process.memoryUsage().rss);
  }, 50);
  const trace = process.env.BENCH_TRACE
    ? setInterval(() => {
        const m = process.memoryUsage();
        console.error(
          `rss ${m.rss >> 20} heap ${m.heapUsed >> 20}/${m.heapTotal >> 20} external ${m.external >> 20} MB`,
        );
      }, 3000)
    : null;
  const cpu = process.cpuUsage();
  const t = performance.now();
  const s = await runImport([file], db ? databaseSink(db, { org: "bench-org", enterprise: null }) : nullSink);
  const secs = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  if (trace) clearInterval(trace);
  sampled = Math.max(sampled, process.memoryUsage().rss);
  if (db) await db.close();
  const hwm = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0);
  const out: ChildResult = {
    records: s.records,
    secs,
    sampledMb: sampled / 2 ** 20,
    hwmMb: hwm / 1024,
    cpuS: (used.user + used.system) / 1e6,
  };
  console.log(`RESULT ${JSON.stringify(out)}`);
}

function spawnChild(args: string[]): ChildResult {
  const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, "--child", ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (r.stderr) process.stderr.write(r.stderr);
  const line = /^RESULT (.*)$/m.exec(r.stdout ?? "");
  if (r.status !== 0 || !line) throw new Error(`bench child ${args[0]} failed: ${r.stdout}${r.stderr}`);
  return JSON.parse(line[1]!) as ChildResult;
}

/**
 * `pilotlog import FILE` (the built CLI, `npm run build`) in its own process; its RSS read from /proc every 50 ms
 * (VmRSS sampled, VmHWM the kernel's peak), its time from start to exit (startup included).
 */
async function cliImport(
  file: string,
  env: NodeJS.ProcessEnv,
  extra: string[],
  database: string | null = null,
): Promise<ChildResult & { out: string }> {
  const backends = new Map<string, number>();
  const t = performance.now();
  const child = spawn(process.execPath, ["bin/pilotlog.js", "import", file, "--org", "bench-org", ...extra], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (b: Buffer) => {
    out += b.toString();
  });
  child.stderr.on("data", (b: Buffer) => {
    out += b.toString();
  });
  let sampled = 0;
  let hwm = 0;
  let cpuS = Number.NaN;
  const sampler = setInterval(() => {
    if (database) sampleBackends(database, backends);
    try {
      // utime + stime: the CPU the import took, whatever the machine's load.
      cpuS = cpuOfPid(child.pid!) ?? cpuS;
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kb = (f: string) => Number(new RegExp(`^${f}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
      sampled = Math.max(sampled, kb("VmRSS"));
      hwm = Math.max(hwm, kb("VmHWM"));
    } catch {
      // exited between two samples
    }
  }, 50);
  const code = await new Promise<number | null>((r) => child.on("exit", r));
  clearInterval(sampler);
  const secs = (performance.now() - t) / 1000;
  if (code !== 0) throw new Error(`pilotlog import exited ${code}: ${out}`);
  const records = Number(/Imported (\d+) user-day records/.exec(out)?.[1] ?? -1);
  const serverCpuS = database ? [...backends.values()].reduce((a, b) => a + b, 0) : undefined;
  return { records, secs, sampledMb: sampled / 1024, hwmMb: hwm / 1024, cpuS, serverCpuS, out };
}

async function prepareFolder(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const db = await PgliteDb.open(dir);
  await migrate(db);
  await db.close();
}

const load = () => execFileSync("uptime", { encoding: "utf8" }).trim();

function report(label: string, r: ChildResult, records: number, base: number | null, target: number | null) {
  if (r.records !== records) throw new Error(`${label}: imported ${r.records} of ${records}`);
  const rate = records / r.secs;
  console.log(
    `  ${label.padEnd(11)} ${records} records in ${r.secs.toFixed(1)} s: ${Math.round(rate).toLocaleString("en")} records/s` +
      `${base ? ` (${(rate / base).toFixed(2)} of parse-only)` : ""}, ${Number.isNaN(r.cpuS) ? "" : `${r.cpuS.toFixed(1)} CPU s in this process, `}` +
      `${r.serverCpuS === undefined ? "" : `${r.serverCpuS.toFixed(1)} in its PostgreSQL backends (${Math.round((1e6 * r.serverCpuS) / records)} µs a record), `}` +
      `RSS peak ${Math.round(r.hwmMb)} MB (sampled while importing: ${Math.round(r.sampledMb)} MB)`,
  );
  if (target !== null)
    console.log(
      `    target ≥ ${target.toLocaleString("en")}/s: ${rate >= target ? "met" : "NOT met"}; RSS ≤ ${RSS_TARGET_MB} MB: ${r.hwmMb <= RSS_TARGET_MB ? "met" : "NOT met"}   [${load()}]`,
    );
  return rate;
}

async function main() {
  // --write FILE: only write the file (for profiling `pilotlog import` by hand with `node --cpu-prof`).
  const keep = arg("--write");
  if (keep) {
    console.log(`wrote ${await writeFile(keep)} records to ${keep}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "pilotlog-bench-import-"));
  const file = join(dir, "users-28-day.ndjson");
  try {
    const records = await writeFile(file);
    console.log(
      `import: users-28-day file of ${users} users (${records} records)${quick ? " (--quick)" : ""}`,
    );
    console.log(`  machine: ${load()}`);
    // --no-baseline: skip the parse-only run (for a rerun of one database at full size; its ratio is then not shown).
    const base = process.argv.includes("--no-baseline")
      ? null
      : report("parse only", spawnChild(["parse", file]), records, null, null);
    if (only === "parse") return;
    if (only !== "postgres") {
      const folder = join(dir, "pglite");
      // `pilotlog import --data DIR` opens DIR/pgdata.
      await prepareFolder(cli ? join(folder, "pgdata") : folder);
      const r = cli
        ? await cliImport(file, { DATABASE_URL: "" }, ["--data", folder])
        : spawnChild(["pglite", file, folder]);
      report(cli ? "PGlite (CLI)" : "PGlite", r, records, base, 5_000);
      rmSync(folder, { recursive: true, force: true });
    }
    if (process.env.DATABASE_URL && only !== "pglite") {
      const scratch = await createScratchDatabase(process.env.DATABASE_URL, "pilotlog_bench_import");
      try {
        const db = await PostgresDb.open(scratch.url);
        await migrate(db);
        await db.close();
        const r = cli
          ? await cliImport(file, { DATABASE_URL: scratch.url }, [], new URL(scratch.url).pathname.slice(1))
          : spawnChild(["postgres", file, scratch.url]);
        report(cli ? "PostgreSQL (CLI)" : "PostgreSQL", r, records, base, 20_000);
      } finally {
        await scratch.drop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const childKind = arg("--child");
if (childKind)
  await child(
    childKind,
    process.argv[process.argv.indexOf("--child") + 2]!,
    process.argv[process.argv.indexOf("--child") + 3],
  );
else await main();

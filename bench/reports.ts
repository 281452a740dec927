/**
 * Usage-metrics reports benchmark (issue 14), for the largest organization (bench-a, a third of the users) of an
 * N-user world, every figure beside a baseline measured in the same run:
 *
 * 1. processing the seeded day with the reports against the legacy documents alone (`processDay(…, { reports:
 *    false })`), each run twice, alternating, the faster of each counting (target ≤ 1.5×);
 * 2. the link answer of `users-28-day/latest` (32 connections, autocannon) against a bare `node:http` server
 *    answering the same bytes (target p99 ≤ 10 ms);
 * 3. downloading every file of that report with `Accept-Encoding: gzip`, one after another, against a bare
 *    `node:http` server (its own process) sending the same gzip bytes from memory (target ≥ 0.5× its speed);
 * 4. the server's RSS, sampled from /proc every 50 ms from its start to the end of the downloads (target ≤ 300 MB).
 *
 * The seeded day's records are copied, re-dated, onto `--days` days of the window (default 28: a full window,
 * as a world active every day would have), so the 28-day report holds `days` × the organization's users records.
 *
 *   node --import tsx bench/reports.ts [--quick] [--users N] [--days D] [--engines pglite,postgres] [--skip-processing]
 */
import { execSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import autocannon from "autocannon";
import { refreshStatistics } from "../src/db/statistics.js";
import { processDay } from "../src/rollup/process.js";
import { addDays } from "../src/util/time.js";
import { memoryOf, startPilotlog, startProcess, stop } from "./spawn.js";
import { DAY, OWNER_TOKEN, open, seed, TODAY } from "./world.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes("--quick");
const users = Number(arg("--users") ?? (quick ? 3_000 : 100_000));
const days = Number(arg("--days") ?? 28);
const skipProcessing = process.argv.includes("--skip-processing");
const duration = quick ? 3 : 10;
const downloads = quick ? 3 : 5;
const LINK_PATH = "/orgs/bench-a/copilot/metrics/reports/users-28-day/latest";
/** The window's last day: the day before the server's today. */
const LAST = addDays(TODAY, -1);
const FIRST = addDays(LAST, -27);

/** GET with the raw bytes (no decoding), so both servers are measured on the same bytes on the wire. */
function getRaw(url: string, headers: Record<string, string>): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (b: Buffer) => parts.push(b));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

async function latency(url: string, headers: Record<string, string>) {
  const run = (seconds: number) => autocannon({ url, connections: 32, duration: seconds, headers });
  await run(2); // warm-up
  const r = await run(duration);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors };
}

/** Downloads every URL in turn, `downloads` times; the best round's seconds and the bytes of the last. */
async function downloadAll(urls: readonly string[], rounds: number): Promise<{ s: number; bytes: Buffer[] }> {
  let best = Number.POSITIVE_INFINITY;
  let bytes: Buffer[] = [];
  for (let round = 0; round < rounds; round++) {
    const t = performance.now();
    const got: Buffer[] = [];
    for (const u of urls) {
      const r = await getRaw(u, { "accept-encoding": "gzip" });
      if (r.status !== 200) throw new Error(`${u}: ${r.status} ${r.body.toString().slice(0, 200)}`);
      got.push(r.body);
    }
    best = Math.min(best, (performance.now() - t) / 1000);
    bytes = got;
  }
  return { s: best, bytes };
}

/** A bare node:http server (its own process) answering `/N` with file N's bytes and `headers`, held in memory. */
function bareServer(files: readonly string[], headers: Record<string, string>) {
  return startProcess(
    [
      "-e",
      `const fs=require("fs");const b=${JSON.stringify(files)}.map(f=>fs.readFileSync(f));const h=${JSON.stringify(headers)};` +
        `require("http").createServer((q,s)=>{const x=b[Number(q.url.split("?")[0].slice(1))]??b[0];s.writeHead(200,h);s.end(x)})` +
        `.listen(0,"127.0.0.1",function(){console.log("bare http://127.0.0.1:"+this.address().port)})`,
    ],
    process.env,
    /bare (http:\/\/\S+)/,
  );
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const engines =
  arg("--engines")?.split(",") ?? (process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"]);
console.log(`[reports] machine load at start: ${execSync("uptime").toString().trim()}`);

for (const engine of engines) {
  const dir = mkdtempSync(join(tmpdir(), "pilotlog-bench-reports-"));
  const { db, url: dbUrl, close } = await open(engine, join(dir, "pgdata"));
  const events = await seed(db, users);
  const at = new Date(`${TODAY}T00:10:00Z`);
  if (!skipProcessing) {
    const time = async (reports: boolean) => {
      const t = performance.now();
      await processDay(db, DAY, at, { reports });
      return (performance.now() - t) / 1000;
    };
    // Alternating, so both see the same state of the database and its caches; a warm-up of each first.
    const legacy: number[] = [];
    const full: number[] = [];
    for (let i = 0; i < 2; i++) {
      legacy.push(await time(false));
      full.push(await time(true));
    }
    const l = Math.min(...legacy);
    const f = Math.min(...full);
    console.log(
      `[reports ${engine} processing] ${users} users, ${events} events: legacy documents only ${legacy.map((x) => x.toFixed(2)).join("/")} s, ` +
        `with the reports ${full.map((x) => x.toFixed(2)).join("/")} s: ratio ${(f / l).toFixed(2)}× (target ≤ 1.5×: ${f / l <= 1.5 ? "met" : "MISSED"})`,
    );
  } else await processDay(db, DAY, at);
  // The other days of the window get the seeded day's records of bench-a, re-dated; the whole window is marked
  // processed, so the server has nothing to catch up.
  const [org] = await db.query<{ scope: string }>(
    "SELECT 'org:' || id AS scope FROM organizations WHERE login = 'bench-a'",
  );
  const scope = org!.scope;
  const copies = Array.from({ length: Math.max(0, days - 1) }, (_, i) => addDays(LAST, -i)).filter(
    (d) => d !== DAY,
  );
  for (const d of copies) {
    await db.query(
      `INSERT INTO user_day_records (scope, day, login, user_id, body)
       SELECT scope, $2::date, login, user_id, '{"day":"' || $2 || '"' || substr(body, 19)
       FROM user_day_records WHERE scope = $3 AND day = $1`,
      [DAY, d, scope],
    );
    await db.query(
      `INSERT INTO report_days (scope, day, records, team_rows, active, chat, agent, cli_users, sums, body)
       SELECT scope, $2::date, records, 0, active, chat, agent, cli_users, sums, body
       FROM report_days WHERE scope = $3 AND day = $1`,
      [DAY, d, scope],
    );
  }
  await db.query(
    `INSERT INTO processed_days (day, processed_at, active_users, documents)
     SELECT g::date, now(), 0, 1 FROM generate_series($1::date, $2::date, interval '1 day') g ON CONFLICT (day) DO NOTHING`,
    [FIRST, LAST],
  );
  await db.query("DELETE FROM dirty_days");
  // As a processing run ends (runProcessing, the scheduler): the planner learns the tables' new sizes.
  await refreshStatistics(db);
  const [count] = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM user_day_records WHERE scope = $1 AND day BETWEEN $2 AND $3",
    [scope, FIRST, LAST],
  );
  if (engine === "pglite") await db.close();

  const env = { ...process.env, DATABASE_URL: engine === "postgres" ? dbUrl! : "" };
  const server = await startPilotlog(dir, env, `${TODAY}T12:00:00Z`, ["--rate-limit", "0"]);
  const pid = server.child.pid!;
  let maxRss = 0;
  const sample = async () => {
    const m = await memoryOf(pid).catch(() => null);
    if (m && m.rss > maxRss) maxRss = m.rss;
  };
  const sampler = setInterval(() => void sample(), 50);
  const auth = { authorization: `Bearer ${OWNER_TOKEN}` };

  // 2. The link answer.
  const answer = await getRaw(`${server.url}${LINK_PATH}`, auth);
  if (answer.status !== 200) throw new Error(`link answer ${answer.status}: ${answer.body.toString()}`);
  const links = (JSON.parse(answer.body.toString()) as { download_links: string[] }).download_links;
  const answerFile = join(dir, "answer.json");
  writeFileSync(answerFile, answer.body);
  const bareAnswer = await bareServer([answerFile], { "content-type": "application/json; charset=utf-8" });
  const base = await latency(`${bareAnswer.url}${LINK_PATH}`, auth);
  await stop(bareAnswer.child);
  const ours = await latency(`${server.url}${LINK_PATH}`, auth);
  console.log(
    `[reports ${engine} link answer] ${links.length} links (${answer.body.length} bytes): pilotlog ${ours.rps.toFixed(0)} req/s ` +
      `(p50 ${ours.p50} ms, p99 ${ours.p99} ms, ${ours.errors} errors) vs bare node:http ${base.rps.toFixed(0)} req/s ` +
      `(p50 ${base.p50} ms, p99 ${base.p99} ms) (target p99 ≤ 10 ms: ${ours.p99 <= 10 ? "met" : "MISSED"})`,
  );

  // 3. The downloads: the first one (cold) apart, then the best of `downloads` rounds.
  const first = await downloadAll(links, 1);
  const coldS = first.s;
  const warm = await downloadAll(links, downloads);
  for (let i = 0; i < links.length; i++)
    if (!warm.bytes[i]!.equals(first.bytes[i]!))
      throw new Error(`file ${i}: different bytes between downloads`);
  const files = warm.bytes.map((b, i) => {
    const f = join(dir, `file-${i}.ndjson.gz`);
    writeFileSync(f, b);
    return f;
  });
  const bare = await bareServer(files, {
    "content-type": "application/x-ndjson",
    "content-encoding": "gzip",
  });
  const bareRun = await downloadAll(
    links.map((_, i) => `${bare.url}/${i}`),
    downloads,
  );
  await stop(bare.child);
  for (let i = 0; i < links.length; i++)
    if (!bareRun.bytes[i]!.equals(warm.bytes[i]!)) throw new Error(`bare file ${i}: different bytes`);
  const gz = warm.bytes.reduce((s, b) => s + b.length, 0);
  const raw = warm.bytes.reduce((s, b) => s + gunzipSync(b).length, 0);
  clearInterval(sampler);
  await sample();
  const end = await memoryOf(pid);
  const ratio = bareRun.s / warm.s;
  console.log(
    `[reports ${engine} download] users-28-day: ${count!.n} records over ${days} days in ${links.length} files, ${mb(raw)} (${mb(gz)} gzip): ` +
      `pilotlog ${warm.s.toFixed(3)} s (${mb(raw / warm.s)}/s of records; first download ${coldS.toFixed(3)} s) vs bare node:http ${bareRun.s.toFixed(3)} s: ` +
      `ratio ${ratio.toFixed(2)} (target ≥ 0.5: ${ratio >= 0.5 ? "met" : "MISSED"})`,
  );
  console.log(
    `[reports ${engine} memory] server RSS max ${maxRss.toFixed(0)} MB sampled every 50 ms, ${end.rss.toFixed(0)} MB at the end, ` +
      `peak (VmHWM) ${end.peak.toFixed(0)} MB (target ≤ 300 MB throughout: ${Math.max(maxRss, end.peak) <= 300 ? "met" : "MISSED"})`,
  );
  await stop(server.child);
  if (engine === "postgres") await close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`[reports] machine load at end: ${execSync("uptime").toString().trim()}`);

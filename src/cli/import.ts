import { stat } from "node:fs/promises";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { type ImportSink, type ImportSummary, runImport } from "../import/run.js";
import { databaseSink, type ScopeNames } from "../import/sink.js";
import type { BatchResult, PendingRecord, PendingTeamRow, TeamBatchResult } from "../import/store.js";
import { boundHeap } from "./heap-bound.js";
import {
  callServer,
  commonOptions,
  configFrom,
  fail,
  runningServer,
  ServerRefusal,
  UserError,
  withDatabase,
} from "./shared.js";

/** A line of progress every this many records when the output is not a terminal. */
const PROGRESS_EVERY = 100_000;
/**
 * The heap an import into a database in this process lets grow before a full collection (see boundHeap): with PGlite
 * 20–35 MB of it is live between batches, and its WASM memory (≈ 130 MB) is beside it. With PostgreSQL the database's
 * memory is elsewhere; each forced collection costs ≈ 40 ms (a third more CPU at PGlite's bound), so its bound is
 * only there for a run of 100,000 users, whose live heap grows with the logins the run keeps (at 160 MB such a run
 * peaked at 301 MB, at 128 MB at 238–271 MB, its rate within the ±15 % the runs move by).
 */
const HEAP_BOUND = { pglite: 48 * 2 ** 20, postgres: 128 * 2 ** 20 } as const;
/** Records per request to a running server: a batch stays well under the server's body limit. */
const SERVER_BATCH = 400;

/** A sink that sends each batch to the running server's admin route (it holds the PGlite folder). */
export function serverSink(server: { url: string; adminToken: string }, names: ScopeNames): ImportSink {
  const send = async <T extends { days: Set<string> }>(body: object): Promise<T> => {
    const res = await callServer<Omit<T, "days"> & { days: string[]; message?: string }>(
      server,
      "import",
      "/_pilotlog/admin/import",
      { names, ...body },
    );
    if (res.status !== 200) throw new ServerRefusal(res.body.message ?? `the server answered ${res.status}`);
    return { ...res.body, days: new Set(res.body.days) } as unknown as T;
  };
  const chunked = async <P, T extends { days: Set<string>; unplaced: { index: number; reason: string }[] }>(
    batch: P[],
    key: "records" | "teams",
    merge: (into: T, r: T) => void,
  ): Promise<T> => {
    let out: T | null = null;
    for (let i = 0; i < batch.length; i += SERVER_BATCH) {
      const r = await send<T>({ [key]: batch.slice(i, i + SERVER_BATCH) });
      for (const u of r.unplaced) u.index += i;
      if (!out) out = r;
      else merge(out, r);
    }
    return out!;
  };
  return {
    records: (batch: PendingRecord[]) =>
      chunked<PendingRecord, BatchResult>(batch, "records", (a, b) => {
        a.records += b.records;
        a.unplaced.push(...b.unplaced);
        for (const d of b.days) a.days.add(d);
      }),
    teams: (batch: PendingTeamRow[]) =>
      chunked<PendingTeamRow, TeamBatchResult>(batch, "teams", (a, b) => {
        a.rows += b.rows;
        a.teamsCreated += b.teamsCreated;
        a.orgTeamRows += b.orgTeamRows ?? 0;
        a.unplaced.push(...b.unplaced);
        for (const d of b.days) a.days.add(d);
      }),
  };
}

/** The summary `import` prints. */
export function describeSummary(
  s: ImportSummary,
  created: { users: number; orgs: number; enterprises: number } | null,
): string {
  const lines: string[] = [];
  const span = s.days.length === 0 ? "" : ` (${s.days[0]} … ${s.days[s.days.length - 1]})`;
  lines.push(
    `Imported ${s.records} user-day records of ${s.users} users over ${s.days.length} days${span} from ${s.files} file(s); ${s.teamRows} user-team rows.`,
  );
  if (s.orgTeamRows > 0)
    lines.push(
      `${s.orgTeamRows} enterprise user-team row(s) were taken as organization teams (their slug is a team of one of the enterprise's organizations: no enterprise team made; the organizations' own files place the members).`,
    );
  if (created)
    lines.push(
      `Created ${created.users} users, ${created.orgs} organizations, ${created.enterprises} enterprises, ${s.teamsCreated} teams.`,
    );
  else lines.push(`Created ${s.teamsCreated} teams.`);
  lines.push(
    `${s.splitUserDays} user-days used several IDEs: their legacy editor breakdown is apportioned (an estimate, spec/usage-reports-import.md).`,
  );
  const list = (o: Record<string, number>) =>
    Object.entries(o)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, n]) => `${k} (${n})`)
      .join(", ");
  if (Object.keys(s.unknownFeatures).length > 0)
    lines.push(
      `Features not known to this version, kept in the records, not counted in legacy documents: ${list(s.unknownFeatures)}.`,
    );
  if (Object.keys(s.unknownKeys).length > 0)
    lines.push(`Keys not known to this version, kept in the records: ${list(s.unknownKeys)}.`);
  if (s.aggregates.checked > 0 || s.aggregates.mismatches.length > 0) {
    lines.push(
      `Aggregate check: ${s.aggregates.checked} aggregate day record(s) compared with the user records, ${s.aggregates.mismatches.length} mismatch(es).`,
    );
    for (const m of s.aggregates.mismatches.slice(0, 50)) lines.push(`  ${m}`);
  }
  if (s.problemCount > 0) {
    lines.push(`Skipped ${s.problemCount} bad value(s) (the rest was imported):`);
    for (const p of s.problems.slice(0, 50)) lines.push(`  ${p.where}: ${p.reason}`);
    if (s.problemCount > 50) lines.push(`  … and ${s.problemCount - 50} more`);
  }
  if (s.days.length > 0)
    lines.push(
      "Those days are marked for processing: run `pilotlog process` (a running server's scheduler does it too).",
    );
  return `${lines.join("\n")}\n`;
}

/** Prints progress: a bar on a terminal, a line every PROGRESS_EVERY records otherwise. */
function progress(): { update: (records: number, file: string, bytes: number) => void; stop: () => void } {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: "importing {file} [{bar}] {percentage}% | {records} records",
      hideCursor: true,
      stream: process.stderr,
    });
    let current = "";
    let started = false;
    return {
      update: (records, file, bytes) => {
        if (file !== current) {
          current = file;
          if (started) bar.stop();
          bar.start(1, 0, { file, records });
          started = true;
          if (file !== "-")
            void stat(file).then(
              (s) => bar.setTotal(s.size),
              () => {},
            );
        }
        bar.update(bytes, { file, records });
      },
      stop: () => started && bar.stop(),
    };
  }
  let next = PROGRESS_EVERY;
  return {
    update: (records) => {
      if (records >= next) {
        process.stderr.write(`importing: ${records} records read\n`);
        next += PROGRESS_EVERY;
      }
    },
    stop: () => {},
  };
}

export function importCommand(program: Command): void {
  commonOptions(program.command("import"))
    .argument("<sources...>", "report files, folders of them, or - for standard input (NDJSON, JSON, gzip)")
    .option("--org <login>", "the organization the files' organization_id stands for (created when new)")
    .option("--enterprise <slug>", "the enterprise the files' enterprise_id stands for (created when new)")
    .description(
      "import GitHub's usage-metrics report files (users-1-day, users-28-day, user-teams-1-day, aggregates)",
    )
    .action(async (sources: string[], flags: Record<string, string>) => {
      const p = progress();
      try {
        const config = configFrom(flags);
        const names: ScopeNames = { org: flags.org ?? null, enterprise: flags.enterprise ?? null };
        for (const s of sources)
          if (s !== "-")
            await stat(s).catch(() => {
              throw new UserError(`cannot read ${s}: no such file or folder`);
            });
        const server = await runningServer(config);
        if (server) {
          const summary = await runImport(sources, serverSink(server, names), { onProgress: p.update });
          p.stop();
          process.stdout.write(describeSummary(summary, null));
          process.stdout.write(`(on the running server at ${server.url})\n`);
        } else {
          await withDatabase(config, "import", async (db, where) => {
            const sink = databaseSink(db, names);
            const unbound = boundHeap(HEAP_BOUND[db.engine]);
            const summary = await runImport(sources, sink, { onProgress: p.update }).finally(unbound);
            p.stop();
            process.stdout.write(describeSummary(summary, sink.created()));
            process.stdout.write(`(on ${where})\n`);
          });
        }
      } catch (err) {
        p.stop();
        fail(err);
      }
    });
}

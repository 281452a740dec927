import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { type Config, ConfigError, duration } from "../config/config.js";
import type { ApplyReport } from "../directory/store.js";
import { apiBase, type SyncLog, UpstreamError, upstream } from "../sync/client.js";
import {
  describeSync,
  MAX_DAYS,
  runSync,
  type SyncSummary,
  type SyncTarget,
  scopeKeys,
} from "../sync/run.js";
import type { LocalState, SyncedDay } from "../sync/state.js";
import { databaseTarget } from "../sync/target.js";
import type { Clock } from "../util/clock.js";
import { serverSink } from "./import.js";
import {
  callServer,
  clockFrom,
  commonOptions,
  configFrom,
  fail,
  runningServer,
  ServerRefusal,
  withDatabase,
} from "./shared.js";

/** What a sync needs besides the database: from the flags and GITHUB_TOKEN. */
export interface SyncSettings {
  api: string;
  token: string;
  scopes: string[];
  days: number;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Adds the flags of `sync` (also taken by `serve --sync-every`). */
export function syncOptions(cmd: Command): Command {
  return cmd
    .option(
      "--api <url>",
      "the GitHub-shaped API to sync from (GitHub, a GHE.com API, another pilotlog)",
      "https://api.github.com",
    )
    .option(
      "--token <token>",
      "the API token (shows in the process list: prefer GITHUB_TOKEN or --token-file)",
    )
    .option("--token-file <file>", "a file holding the API token")
    .option("--org <login>", "an organization to sync (repeatable)", collect)
    .option("--enterprise <slug>", "an enterprise to sync (repeatable)", collect)
    .option("--days <n>", `days of reports to fetch, ending yesterday (at most ${MAX_DAYS})`, "28");
}

/** Reads the sync flags; the token from --token, --token-file or GITHUB_TOKEN, in that order. */
export async function syncSettings(flags: Record<string, unknown>, env = process.env): Promise<SyncSettings> {
  let token = typeof flags.token === "string" ? flags.token : undefined;
  if (!token && typeof flags.tokenFile === "string") {
    try {
      token = (await readFile(flags.tokenFile, "utf8")).trim();
    } catch (err) {
      throw new ConfigError(
        `--token-file ${flags.tokenFile}: cannot read it (${(err as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
    if (!token) throw new ConfigError(`--token-file ${flags.tokenFile} is empty: write the token in it`);
  }
  token ||= env.GITHUB_TOKEN || undefined;
  if (!token)
    throw new ConfigError("sync needs a token: set GITHUB_TOKEN, or pass --token-file FILE (or --token)");
  const daysText = String(flags.days ?? "28");
  if (!/^\d+$/.test(daysText) || Number(daysText) < 1 || Number(daysText) > MAX_DAYS)
    throw new ConfigError(`--days must be a whole number from 1 to ${MAX_DAYS}, got "${daysText}"`);
  let api: string;
  let scopes: string[];
  try {
    api = apiBase(String(flags.api ?? "https://api.github.com"));
    scopes = scopeKeys(
      (flags.org as string[] | undefined) ?? [],
      (flags.enterprise as string[] | undefined) ?? [],
    );
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return { api, token, scopes, days: Number(daysText) };
}

/** `--sync-every`: a duration of at least a minute, or undefined when the flag is absent. */
export function syncEvery(flags: Record<string, unknown>): number | null {
  if (flags.syncEvery === undefined) return null;
  const ms = duration(String(flags.syncEvery), "--sync-every");
  if (ms < 60_000)
    throw new ConfigError(`--sync-every must be at least 1m, got "${String(flags.syncEvery)}"`);
  return ms;
}

/** Runs one sync with these settings into `target`. */
export function syncOnce(
  s: SyncSettings,
  target: SyncTarget,
  clock: Clock,
  log: SyncLog,
): Promise<SyncSummary> {
  return runSync({
    up: upstream(s.api, s.token, { log }),
    target,
    scopes: s.scopes,
    days: s.days,
    clock,
    log,
  });
}

/** A target that sends the work to the running server holding the PGlite folder, as `import` and `apply` do. */
function serverTarget(server: { url: string; adminToken: string }): SyncTarget {
  const post = async <T>(command: string, path: string, body: unknown): Promise<T> => {
    const res = await callServer<T & { message?: string }>(server, command, path, body);
    if (res.status !== 200) throw new ServerRefusal(res.body.message ?? `the server answered ${res.status}`);
    return res.body;
  };
  return {
    readState: (api, scopes) => post<LocalState>("sync", "/_pilotlog/admin/sync-state", { api, scopes }),
    apply: (text, fileName) => post<ApplyReport>("sync", "/_pilotlog/admin/apply", { fileName, text }),
    sink: (names) => serverSink(server, names),
    markSynced: async (api, rows: readonly SyncedDay[]) => {
      await post("sync", "/_pilotlog/admin/sync-mark", { api, rows });
    },
  };
}

export function syncCommand(program: Command): void {
  syncOptions(commonOptions(program.command("sync")))
    .description(
      "bring an organization's or enterprise's directory and usage reports from GitHub (or another pilotlog) into pilotlog",
    )
    .action(async (flags: Record<string, unknown>) => {
      try {
        const config: Config = configFrom(flags as Record<string, string>);
        const settings = await syncSettings(flags);
        const clock = clockFrom(config);
        const log: SyncLog = (line) => process.stderr.write(`sync: ${line}\n`);
        const server = await runningServer(config);
        let summary: SyncSummary;
        let where: string;
        if (server) {
          summary = await syncOnce(settings, serverTarget(server), clock, log);
          where = `the running server at ${server.url}`;
        } else {
          ({ summary, where } = await withDatabase(config, "sync", async (db, at) => ({
            summary: await syncOnce(settings, databaseTarget(db, clock, config.windowDays), clock, log),
            where: at,
          })));
        }
        process.stdout.write(describeSync(summary, where));
        if (summary.scopes.some((s) => s.error)) process.exitCode = 1;
      } catch (err) {
        if (err instanceof UpstreamError) {
          process.stderr.write(`pilotlog: sync: ${err.message}\n`);
          process.exitCode = 1;
          return;
        }
        fail(err);
      }
    });
}

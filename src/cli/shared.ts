import { resolve } from "node:path";
import type { Command } from "commander";
import { type Config, ConfigError, loadConfig, type RawFlags } from "../config/config.js";
import type { Db } from "../db/db.js";
import { LockHeldError, readLock } from "../db/lock.js";
import { DataFolderError, openDatabase } from "../db/open.js";
import { ListenError } from "../http/listen.js";
import { type Clock, OffsetClock, systemClock } from "../util/clock.js";

/** Errors whose message is written for the user (bad input to a command): printed without a stack trace. */
export class UserError extends Error {}

/** Adds the options every command shares. */
export function commonOptions(cmd: Command): Command {
  return cmd
    .option("--data <dir>", "embedded database folder (env PILOTLOG_DATA)", undefined)
    .option("--now <timestamp>", "start the clock at this ISO instant (env PILOTLOG_NOW)")
    .option("--window-days <n>", "days of history served, ending yesterday (env PILOTLOG_WINDOW_DAYS)");
}

export function configFrom(flags: RawFlags): Config {
  return loadConfig(flags);
}

export function clockFrom(config: Config): Clock {
  return config.now ? new OffsetClock(config.now) : systemClock;
}

/**
 * A server that holds the PGlite folder and accepts this CLI's work, if there is one. A server still starting
 * is waited for (up to 20 s); any other holder is an error that names it.
 */
export async function runningServer(config: Config): Promise<{ url: string; adminToken: string } | null> {
  if (config.databaseUrl) return null;
  const dir = resolve(config.dataDir);
  for (let waited = 0; ; waited += 250) {
    const held = readLock(dir);
    if (!held) return null;
    const lock = held.info;
    if (lock?.url && lock.adminToken) return { url: lock.url, adminToken: lock.adminToken };
    // A holder whose lock file is gone (past the instant between its lock and its file) cannot be reached; one
    // that is not a server will not become one.
    if ((!lock && waited >= 1000) || (lock && lock.command !== "serve") || waited >= 20_000)
      throw new LockHeldError(dir, lock);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The running server refused a command's work; its message is for the user. */
export class ServerRefusal extends Error {}

/**
 * The running server went away (killed, crashed, stopped) while it had a command's work: the connection failed or
 * the answer was cut. `advice` says what the command's user can do about the work's unknown outcome.
 */
export class ServerLostError extends Error {
  constructor(url: string, command: string, cause: unknown, advice: string) {
    const c = (cause as { cause?: { code?: string; message?: string } }).cause;
    const why = c?.code ?? c?.message ?? (cause as Error).message;
    super(`the server at ${url} stopped answering before ${command} finished (${why}); ${advice}`);
  }
}

/** What a user can do when the server died with a command's work in flight, by command. */
const LOST_ADVICE: Record<string, string> = {
  apply:
    "a file is applied all or nothing, so run the same apply again once a server runs (or with none): it changes only what is missing",
  process: "run process again once a server runs (or with none): it redoes only days not yet done",
  sync: "run the same sync again once a server runs (or with none): it resumes with the days not yet recorded as synced",
  token:
    "the token may or may not exist: check with `npx pilotlog token list` once a server runs (or with none) before trying again",
};

/** Sends a command's work to the running server's local admin route. */
export async function callServer<T>(
  server: { url: string; adminToken: string },
  command: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: T }> {
  let status: number;
  let text: string;
  try {
    const res = await fetch(new URL(path, server.url), {
      method: "POST",
      headers: { "content-type": "application/json", "x-pilotlog-admin": server.adminToken },
      body: JSON.stringify(body),
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    throw new ServerLostError(server.url, command, err, LOST_ADVICE[command] ?? "run it again");
  }
  try {
    return { status, body: JSON.parse(text) as T };
  } catch {
    throw new ServerRefusal(
      `the server at ${server.url} answered ${status} with a body that is not JSON: is it pilotlog? (${text.slice(0, 80)})`,
    );
  }
}

/**
 * Runs a command's work on the running server's admin `route` when one holds the PGlite folder, else on the
 * database directly with `local`. `beforeOpen` checks, with this command's own clock and settings, what only the
 * local run needs, before the database is opened (or created). Returns the result and where the work was done.
 */
export async function onServerOrDatabase<T>(
  config: Config,
  command: string,
  route: string,
  body: unknown,
  local: (db: Db, where: string) => Promise<T>,
  beforeOpen?: () => void,
): Promise<{ value: T; where: string }> {
  const server = await runningServer(config);
  if (server) {
    const res = await callServer<T & { message?: string }>(server, command, route, body);
    if (res.status !== 200) throw new ServerRefusal(res.body.message ?? `the server answered ${res.status}`);
    return { value: res.body, where: `the running server at ${server.url}` };
  }
  beforeOpen?.();
  return withDatabase(config, command, async (db, where) => ({ value: await local(db, where), where }));
}

/** Opens the database for a one-shot command, runs `fn`, and closes it. */
export async function withDatabase<T>(
  config: Config,
  command: string,
  fn: (db: Db, where: string) => Promise<T>,
): Promise<T> {
  const opened = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, command });
  try {
    return await fn(opened.db, opened.where);
  } finally {
    await opened.close();
  }
}

/** Prints a user-facing error (never a stack trace for known problems) and sets the exit code. */
export function fail(err: unknown): void {
  if (
    err instanceof ConfigError ||
    err instanceof LockHeldError ||
    err instanceof ServerRefusal ||
    err instanceof UserError ||
    err instanceof DataFolderError ||
    err instanceof ServerLostError ||
    err instanceof ListenError
  ) {
    process.stderr.write(`pilotlog: ${err.message}\n`);
  } else if (
    err instanceof Error &&
    /ECONNREFUSED|ENOTFOUND|password authentication|does not exist/.test(err.message)
  ) {
    process.stderr.write(
      `pilotlog: cannot reach the database: ${err.message}\nCheck DATABASE_URL, or unset it to use the embedded database.\n`,
    );
  } else {
    process.stderr.write(`pilotlog: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exitCode = 1;
}

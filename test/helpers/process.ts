import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createScratchDatabase } from "../../src/db/scratch.js";

const run = promisify(execFile);
export const BIN = join(import.meta.dirname, "..", "..", "bin", "pilotlog.js");

/** A `pilotlog serve` process started as a user would, with everything it printed so far. */
export interface Served {
  child: ChildProcess;
  url: string;
  output(): string;
}

/** Starts `pilotlog serve` (the built CLI) and waits for the line with its URL. */
export function serve(args: string[], env: NodeJS.ProcessEnv, now: string): Promise<Served> {
  const child = spawn(
    process.execPath,
    [BIN, "serve", "--port", "0", "--now", now, "--log-level", "warn", ...args],
    {
      env,
    },
  );
  let out = "";
  let url: string | null = null;
  return new Promise((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      if (process.env.PILOTLOG_E2E_LOG) process.stderr.write(b);
      const m = /serving (http:\/\/\S+)/.exec(out);
      if (m && !url) {
        url = m[1]!;
        waitReady(url).then(() => resolve({ child, url: url!, output: () => out }), reject);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code, signal) => reject(new Error(`serve exited with ${code ?? signal}: ${out}`)));
  });
}

/** Polls `GET /readyz` until the server says it is ready for traffic (200), for up to `timeoutMs`. */
export async function waitReady(url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${url}/readyz`).catch(() => null);
    if (res?.status === 200) return;
    await res?.arrayBuffer();
    if (Date.now() > until) throw new Error(`${url}/readyz did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sends SIGTERM (or `signal`) and resolves with the exit code once the process has exited. */
export function stop(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once("exit", (code) => resolve(code));
    child.kill(signal);
  });
}

/** Runs a CLI command to completion (rejects with its output on a non-zero exit). */
export const cli = (args: string[], env: NodeJS.ProcessEnv) => run(process.execPath, [BIN, ...args], { env });

/** Where a CLI run keeps its data: a PGlite folder, or a fresh database on DATABASE_URL's server. */
export interface Target {
  name: "pglite" | "postgres";
  create(): Promise<{ env: NodeJS.ProcessEnv; args: string[]; cleanup(): Promise<void> }>;
}

/** PGlite always; PostgreSQL too when DATABASE_URL is set. */
export const targets: Target[] = [
  {
    name: "pglite",
    async create() {
      const dir = mkdtempSync(join(tmpdir(), "pilotlog-e2e-"));
      return {
        env: { ...process.env, DATABASE_URL: "" },
        args: ["--data", dir],
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  ...(process.env.DATABASE_URL
    ? [
        {
          name: "postgres" as const,
          async create() {
            const scratch = await createScratchDatabase(process.env.DATABASE_URL!, "pilotlog_e2e");
            return { env: { ...process.env, DATABASE_URL: scratch.url }, args: [], cleanup: scratch.drop };
          },
        },
      ]
    : []),
];

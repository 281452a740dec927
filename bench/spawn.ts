import { type ChildProcess, spawn } from "node:child_process";

/**
 * Starts a Node.js process and resolves once its output matches `pattern` (whose first group is its URL); rejects
 * with everything it printed if it exits first.
 */
export function startProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  pattern: RegExp,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = pattern.exec(out);
      if (m) resolve({ child, url: m[1]! });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

/** Stops a child process with SIGTERM and waits for it to exit. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

/** Resident and peak resident memory of a live process, in MB, from /proc (Linux). */
export async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const { readFile } = await import("node:fs/promises");
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/**
 * CPU time (user + system) a live process has used so far, in milliseconds, from /proc (Linux). Unlike a rate,
 * CPU per request does not depend on what else the shared machine is doing.
 */
export async function cpuMsOf(pid: number): Promise<number> {
  const { readFile } = await import("node:fs/promises");
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

/**
 * Starts `pilotlog serve` (the built CLI) in its own process on a free port over `dataDir` (or DATABASE_URL in
 * `env`), with the clock at `now`, quiet logs and `extra` flags. BENCH_CPU_PROF=folder adds a V8 CPU profile.
 */
export function startPilotlog(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  now: string,
  extra: string[] = [],
): Promise<{ child: ChildProcess; url: string }> {
  const profile = process.env.BENCH_CPU_PROF
    ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF]
    : [];
  return startProcess(
    [
      ...profile,
      "bin/pilotlog.js",
      "serve",
      "--data",
      dataDir,
      "--port",
      "0",
      "--now",
      now,
      "--log-level",
      "warn",
      ...extra,
    ],
    env,
    /serving (http:\/\/\S+)/,
  );
}

import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** What the lock file of a PGlite data folder says about the process holding it. */
export interface LockInfo {
  pid: number;
  command: string;
  startedAt: string;
  /** Set by `serve` once it listens: other commands send their work there. */
  url?: string;
  /** Secret for the server's local admin routes; the file is readable by its owner only. */
  adminToken?: string;
}

export class LockHeldError extends Error {
  constructor(
    readonly lockPath: string,
    readonly info: LockInfo,
  ) {
    super(
      `The data folder is in use by pid ${info.pid} (pilotlog ${info.command}, since ${info.startedAt}). ` +
        `Wait for it to finish or stop it; if no such process exists, delete ${lockPath}.`,
    );
  }
}

export function lockPath(dataDir: string): string {
  return join(dataDir, "pilotlog.lock");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Reads the lock of `dataDir` if a live process holds it; a stale lock (dead pid) reads as free. */
export function readLock(dataDir: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(lockPath(dataDir), "utf8")) as LockInfo;
    return typeof info.pid === "number" && alive(info.pid) ? info : null;
  } catch {
    return null;
  }
}

/**
 * Takes the data folder for this process, or throws LockHeldError naming the holder. PGlite has no lock of its
 * own, and two processes writing one folder would corrupt it.
 */
export class DataLock {
  readonly path: string;
  private info: LockInfo;
  private released = false;

  constructor(dataDir: string, command: string) {
    mkdirSync(dataDir, { recursive: true });
    this.path = lockPath(dataDir);
    this.info = { pid: process.pid, command, startedAt: new Date().toISOString() };
    for (let attempt = 0; ; attempt++) {
      try {
        writeFileSync(this.path, JSON.stringify(this.info), { flag: "wx", mode: 0o600 });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 2) throw err;
        const holder = readLock(dataDir);
        if (holder) throw new LockHeldError(this.path, holder);
        // Stale: its process is gone. Remove and try again.
        try {
          unlinkSync(this.path);
        } catch {
          /* another starter removed it first */
        }
      }
    }
    process.once("exit", () => this.release());
  }

  /** Records where this server listens, with a fresh admin secret for the local CLI. */
  advertise(url: string): string {
    const adminToken = randomBytes(24).toString("hex");
    this.info = { ...this.info, url, adminToken };
    writeFileSync(this.path, JSON.stringify(this.info), { mode: 0o600 });
    return adminToken;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      const current = JSON.parse(readFileSync(this.path, "utf8")) as LockInfo;
      if (current.pid === process.pid) unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }
}

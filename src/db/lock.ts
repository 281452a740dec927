import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fsExt from "fs-ext";

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

/**
 * The data folder is held by another live process. `info` is what its lock file says, or null when that file was
 * removed (the operating system's lock still names the folder as taken, not who took it).
 */
export class LockHeldError extends Error {
  constructor(
    readonly dataDir: string,
    readonly info: LockInfo | null,
  ) {
    super(
      info
        ? `The data folder ${dataDir} is in use by pid ${info.pid} (pilotlog ${info.command}, since ${info.startedAt}). ` +
            `Wait for it to finish, or stop it (kill ${info.pid}), then run this again.`
        : `The data folder ${dataDir} is in use by another process, which holds its lock; its ${LOCK_FILE} was ` +
            `removed, so commands cannot reach it and it cannot be told which process it is (fuser -v ${dataDir} ` +
            "names it). Stop that process and start it again, then run this again.",
    );
  }
}

const LOCK_FILE = "pilotlog.lock";

export function lockPath(dataDir: string): string {
  return join(dataDir, LOCK_FILE);
}

/**
 * Takes the operating system's exclusive advisory lock (flock(2)) on the folder itself, without waiting: the fd
 * to keep open while holding it, or null when another process holds it. The lock is on the directory, not on a
 * file in it, so deleting any file cannot free it; the kernel drops it when the process ends, however it ends.
 */
function tryOsLock(dataDir: string): number | null {
  const fd = openSync(dataDir, "r");
  try {
    fsExt.flockSync(fd, "exnb");
    return fd;
  } catch (err) {
    closeSync(fd);
    if (["EWOULDBLOCK", "EAGAIN"].includes((err as NodeJS.ErrnoException).code ?? "")) return null;
    throw err;
  }
}

function readInfo(dataDir: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(lockPath(dataDir), "utf8")) as LockInfo;
    return typeof info.pid === "number" ? info : null;
  } catch {
    return null;
  }
}

export interface HeldLock {
  /** What the holder's lock file says, or null when the file is gone. */
  info: LockInfo | null;
}

/**
 * Whether another process holds `dataDir`, and what its lock file says. A lock file left by a process that is
 * gone (the folder's OS lock is free) reads as free.
 */
export function readLock(dataDir: string): HeldLock | null {
  let fd: number | null;
  try {
    fd = tryOsLock(dataDir);
  } catch {
    return null; // no such folder yet
  }
  if (fd !== null) {
    closeSync(fd);
    return null;
  }
  return { info: readInfo(dataDir) };
}

/**
 * Takes the data folder for this process, or throws LockHeldError naming the holder. PGlite has no lock of its
 * own, and two processes writing one folder would corrupt it: the operating system's lock on the folder is what
 * excludes; `pilotlog.lock` only tells other commands who holds it and where it serves.
 */
export class DataLock {
  readonly path: string;
  private info: LockInfo;
  private fd: number | null;
  private released = false;

  constructor(dataDir: string, command: string) {
    // Only the owner may read or enter the folder (it holds the data and, in the lock file, the admin secret).
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.path = lockPath(dataDir);
    this.fd = tryOsLock(dataDir);
    if (this.fd === null) throw new LockHeldError(dataDir, readInfo(dataDir));
    this.info = { pid: process.pid, command, startedAt: new Date().toISOString() };
    this.write();
    process.once("exit", () => this.release());
  }

  private write(): void {
    writeFileSync(this.path, JSON.stringify(this.info), { mode: 0o600 });
    chmodSync(this.path, 0o600); // a file left by an earlier holder keeps its mode otherwise
  }

  /** Records where this server listens, with a fresh admin secret for the local CLI. */
  advertise(url: string): string {
    const adminToken = randomBytes(24).toString("hex");
    this.info = { ...this.info, url, adminToken };
    this.write();
    return adminToken;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      unlinkSync(this.path);
    } catch {
      /* already gone */
    }
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

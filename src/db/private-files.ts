import { chmodSync, readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * Makes what this process creates from now on private to its owner (umask 077): PostgreSQL inside PGlite creates
 * relation files and WAL segments all along, with modes taken through the umask.
 */
export function createPrivately(): void {
  process.umask(0o077);
}

/**
 * Sets folders under `dir` to 0700 and files to 0600. PGlite unpacks its initial database with mode 0666 whatever
 * the umask, and folders made by an older pilotlog are 0755.
 */
export function restrictTree(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) restrictTree(path);
    else if (entry.isFile()) chmodSync(path, 0o600);
  }
}

/**
 * The embedded database's folder (issue 12, RELIABILITY.md): the operating system's lock on the folder, not the
 * `pilotlog.lock` file, keeps a second process out, so deleting that file cannot let a second server in (two
 * servers on one folder lost one's acknowledged events). The refusal never suggests deleting a lock a live
 * process holds, and the folder and its files are private to their owner.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PgliteDb } from "../../src/db/pglite.js";
import { cli, type Served, serve, stop } from "../helpers/process.js";

const NOW = "2026-11-20T12:00:00Z";
const DIRECTORY = `
tokens:
  - { token: pl_lock_relay, kind: ingest }
`;
const batch = (tag: string) =>
  Array.from({ length: 50 }, (_, i) =>
    JSON.stringify({
      id: `lock-${tag}-${i}`,
      type: "activity",
      user: "l1",
      timestamp: "2026-11-20T09:00:00Z",
    }),
  ).join("\n");

/** Every folder and file under `dir`, with its permission bits. */
function modes(dir: string): { path: string; dir: boolean; mode: number }[] {
  const out = [{ path: dir, dir: true, mode: statSync(dir).mode & 0o777 }];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(e.parentPath, e.name);
    out.push({ path, dir: e.isDirectory(), mode: statSync(path).mode & 0o777 });
  }
  return out;
}

describe("the embedded data folder's lock", () => {
  const dir = join(mkdtempSync(join(tmpdir(), "pilotlog-lock-")), "data");
  const env = { ...process.env, DATABASE_URL: "" };
  let first: Served | undefined;
  afterAll(async () => {
    if (first) await stop(first.child);
    rmSync(join(dir, ".."), { recursive: true, force: true });
  });

  it("refuses a second server after pilotlog.lock was deleted, and the first keeps every acknowledged event", async () => {
    const file = join(dir, "..", "directory.yaml");
    writeFileSync(file, DIRECTORY);
    await cli(["apply", file, "--data", dir, "--now", NOW], env);
    first = await serve(["--data", dir], env, NOW);
    const post = (tag: string) =>
      fetch(`${first!.url}/telemetry/v1/events`, {
        method: "POST",
        headers: { authorization: "Bearer pl_lock_relay", "content-type": "application/x-ndjson" },
        body: batch(tag),
      });
    expect((await post("before")).status).toBe(202);

    // Created 0700, files 0600, the lock file (with the admin secret) included.
    const bad = modes(dir).filter((m) => m.mode !== (m.dir ? 0o700 : 0o600));
    expect(bad).toEqual([]);

    unlinkSync(join(dir, "pilotlog.lock"));
    const second = await serve(["--data", dir], env, NOW).catch((e: Error) => e);
    if (!(second instanceof Error)) await stop(second.child); // the bug: it got in
    expect(second).toBeInstanceOf(Error);
    const message = String(second);
    expect(message).toMatch(/serve exited with 1/);
    expect(message).toContain(`The data folder ${dir} is in use by another process`);
    expect(message).not.toMatch(/delete|remove it|rm /i);
    expect(message).not.toMatch(/\n\s+at /); // no stack trace

    // A one-shot command cannot reach the server now and must not open the folder either.
    const process = await cli(["process", "--data", dir, "--now", NOW], env).catch(
      (e: { stderr: string }) => e,
    );
    expect((process as { stderr: string }).stderr).toContain("is in use by another process");

    expect((await post("after")).status).toBe(202);
    expect(first.child.exitCode).toBeNull();
    expect(await stop(first.child)).toBe(0);
    first = undefined;

    const db = await PgliteDb.open(join(dir, "pgdata"));
    try {
      const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM event_ids");
      expect(row!.n).toBe(100);
    } finally {
      await db.close();
    }
  });

  it("while a server holds the folder, names it and says to wait or stop it, never to delete its lock", async () => {
    first = await serve(["--data", dir], env, NOW);
    const second = String(await serve(["--data", dir], env, NOW).catch((e: Error) => e));
    expect(second).toMatch(
      /is in use by pid \d+ \(pilotlog serve, since .*\)\. Wait for it to finish, or stop it/,
    );
    expect(second).not.toMatch(/delete|rm /i);
    expect(await stop(first.child)).toBe(0);
    first = undefined;
  });
});

/**
 * Backup and restore (README "Running in production"): a world built through the real routes and commands
 * (apply, ingest, process) is backed up with `pilotlog backup` while its server runs, restored with
 * `pilotlog restore` into a fresh store, and a server on the restored store must give every metrics and
 * companion answer byte for byte (status, body, ETag). A non-empty store is never replaced without --force.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, type Served, serve, stop, targets } from "./helpers/process.js";

const NOW = "2026-11-20T12:00:00Z";
const DAYS = ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"];
const DIRECTORY = join(import.meta.dirname, "..", "examples", "directory.yaml");
const ACTIVE = ["mona", "lisa", "ann", "octocat", "tom", "hubot"];

const ENT = "pl_example_ent_owner";
const ORG = "pl_example_org_owner";
/** Every route of the world, with the token that may read it (or is refused it, which must match too). */
const READS: [string, string][] = [
  ["/enterprises/octo-ent/copilot/metrics", ENT],
  ["/enterprises/octo-ent/team/platform/copilot/metrics", ENT],
  ["/orgs/octo-org/copilot/metrics", ORG],
  ["/orgs/octo-org/copilot/metrics?per_page=2&page=2", ORG],
  ["/orgs/octo-org/team/backend/copilot/metrics", ORG],
  ["/orgs/octo-org/team/tiny/copilot/metrics", ORG],
  ["/orgs/octo-labs/copilot/metrics", ORG],
  ["/orgs/octo-org/copilot/metrics", "pl_example_member"],
  ["/orgs/octo-org/copilot/metrics", "pl_example_fine"],
  ["/orgs/octo-org/copilot/billing", ORG],
  ["/orgs/octo-org/copilot/billing/seats", ORG],
  ["/enterprises/octo-ent/copilot/billing/seats", ENT],
  ["/orgs/octo-org/members/mona/copilot", ORG],
  ["/orgs/octo-org/teams", ORG],
  ["/orgs/octo-org/teams/backend/members", ORG],
  ["/orgs/octo-org/members", ORG],
  ["/enterprises/octo-ent/teams", ENT],
  ["/enterprises/octo-ent/teams/platform/memberships", ENT],
  ["/user", ORG],
  ["/user/orgs", ORG],
];

/** GET with a fixed Host header, so links and `url` fields do not depend on the server's port. */
function get(base: string, path: string, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, {
      headers: { host: "pilotlog.example", authorization: `Bearer ${token}` },
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve(
          `${res.statusCode} etag=${res.headers.etag ?? "-"} link=${res.headers.link ?? "-"}\n${Buffer.concat(chunks).toString()}`,
        ),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

const answers = (s: Served) => Promise.all(READS.map(([p, t]) => get(s.url, p, t)));

async function ingest(url: string, prefix = "bk"): Promise<void> {
  const events = DAYS.flatMap((day, d) =>
    ACTIVE.flatMap((user, u) =>
      Array.from({ length: 1 + ((d + u) % 3) }, (_, i) => ({
        id: `${prefix}-${day}-${user}-${i}`,
        type: i % 2 ? "completion.accepted" : "completion.suggested",
        user,
        timestamp: `${day}T${String(8 + i).padStart(2, "0")}:00:00Z`,
        editor: u % 2 ? "jetbrains" : "vscode",
        language: ["go", "python", "rust"][(u + i) % 3],
        lines: 1 + i,
      })),
    ),
  );
  const res = await fetch(`${url}/telemetry/v1/events`, {
    method: "POST",
    headers: { authorization: "Bearer pl_example_relay", "content-type": "application/x-ndjson" },
    body: events.map((e) => JSON.stringify(e)).join("\n"),
  });
  expect(res.status).toBe(202);
}

for (const target of targets) {
  describe(`backup and restore on ${target.name}`, () => {
    it("restores into a fresh store every answer byte for byte, and refuses a non-empty store without --force", async () => {
      const a = await target.create();
      const b = await target.create();
      const files = mkdtempSync(join(tmpdir(), "pilotlog-backup-"));
      const file = join(files, "store.backup");
      try {
        await cli(["apply", DIRECTORY, ...a.args, "--now", NOW], a.env);
        const first = await serve(a.args, a.env, NOW);
        let original: string[];
        try {
          await ingest(first.url);
          await cli(["process", ...a.args, "--now", NOW], a.env);
          original = await answers(first);
          // Backed up while the server runs (on PGlite the server makes the dump).
          const { stdout } = await cli(["backup", file, ...a.args, "--now", NOW], a.env);
          expect(stdout).toMatch(/Wrote .*store\.backup \(\d+(\.\d)? [kM]B, /);
          expect(stdout).toMatch(
            /It holds 1 enterprise, 2 organizations, 3 teams, \d+ users, 5 tokens, \d+ events/,
          );
          if (target.name === "pglite") expect(stdout).toMatch(/through the running server at http/);
          // A second backup to the same name is refused.
          await expect(cli(["backup", file, ...a.args], a.env)).rejects.toMatchObject({
            stderr: expect.stringMatching(/already exists; choose another file name, or pass --force/),
          });
          if (target.name === "pglite") {
            await expect(cli(["restore", file, ...a.args], a.env)).rejects.toMatchObject({
              stderr: expect.stringMatching(/holds .*: stop it first/),
            });
          }
        } finally {
          expect(await stop(first.child)).toBe(0);
        }
        expect(original.filter((x) => x.startsWith("200 ")).length).toBeGreaterThan(12);

        // Into the original store: not empty, so refused; nothing changed.
        await expect(cli(["restore", file, ...a.args], a.env)).rejects.toMatchObject({
          stderr: expect.stringMatching(
            /is not empty \(it holds 1 enterprise, 2 organizations, .*\); restoring .* would replace all of it\. Restore into an empty store, or pass --force/,
          ),
        });

        // Into a fresh store.
        const { stdout } = await cli(["restore", file, ...b.args], b.env);
        expect(stdout).toMatch(/Restored in \d+ ms.*now holds 1 enterprise, 2 organizations/);
        const restored = await serve(b.args, b.env, NOW);
        try {
          expect(await answers(restored)).toEqual(original);
        } finally {
          expect(await stop(restored.child)).toBe(0);
        }

        if (target.name === "pglite") {
          // With --force over the original store: replaced, the old database kept aside.
          const forced = await cli(["restore", file, "--force", ...a.args], a.env);
          expect(forced.stdout).toMatch(/is kept in .*pgdata\.replaced-/);
          expect(existsSync(join(a.args[1]!, "pgdata"))).toBe(true);
          const again = await serve(a.args, a.env, NOW);
          try {
            expect(await answers(again)).toEqual(original);
          } finally {
            expect(await stop(again.child)).toBe(0);
          }
        } else {
          // PostgreSQL: the store moves on under a running server, then --force restores the backup underneath
          // it; the server's next answers are the backup's again, none served from its caches of the newer state.
          const live = await serve(a.args, a.env, NOW);
          try {
            await ingest(live.url, "more");
            await cli(["process", ...a.args, "--now", NOW], a.env);
            const moved = await answers(live);
            expect(moved).not.toEqual(original);
            await cli(["restore", file, "--force", ...a.args], a.env);
            expect(await answers(live)).toEqual(original);
          } finally {
            expect(await stop(live.child)).toBe(0);
          }
        }

        // Not a backup at all, or one of the other engine: a clear refusal.
        const junk = join(files, "junk.bin");
        writeFileSync(junk, "hello");
        await expect(cli(["restore", junk, ...b.args], b.env)).rejects.toMatchObject({
          stderr: expect.stringMatching(/is not a pilotlog backup/),
        });
      } finally {
        rmSync(files, { recursive: true, force: true });
        await a.cleanup();
        await b.cleanup();
      }
    }, 240_000);
  });
}

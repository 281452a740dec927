import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWorld, simulate, worldDirectory } from "../src/simulate/index.js";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";
import { cli, serve, stop, targets } from "./helpers/process.js";

/*
 * `pilotlog sync` and `serve --sync-every` as a user runs them (the built CLI, spawned), against a pilotlog demo
 * world on port 0 as the upstream: what it prints, the exit codes, and that the token never shows.
 */
const TODAY = "2026-11-20";
const NOW = `${TODAY}T12:00:00Z`;
const world = buildWorld({ users: 30, seed: "sync-cli", today: TODAY });
const TOKEN = world.tokens.org_owner;
const BAD = "pl_definitely_not_valid_0123456789";

describe("sync from the command line", { timeout: 300_000 }, () => {
  let a: Harness;
  beforeAll(async () => {
    a = await startHarness(backends[0]!, NOW, 28, 0);
    await a.apply(JSON.stringify(worldDirectory(world)));
    for (const { events } of simulate(world)) await a.send(world.tokens.relay, events);
    await a.process();
  }, 300_000);
  afterAll(() => a?.close());

  for (const target of targets) {
    it(`syncs an organization and says what it fetched (${target.name})`, async () => {
      const t = await target.create();
      try {
        const { stdout, stderr } = await cli(
          ["sync", "--api", a.url, "--org", "demo-core", "--days", "5", "--now", NOW, ...t.args],
          { ...t.env, GITHUB_TOKEN: TOKEN },
        );
        expect(stdout).toMatch(/Synced from http:\/\/127\.0\.0\.1:\d+ into /);
        expect(stdout).toMatch(
          /org:demo-core: \d+ members, 7 teams, \d+ seats; 5 days synced \([1-9]\d* user-day records, [1-9]\d* user-team rows\)/,
        );
        expect(stdout).toMatch(/run `npx pilotlog process`/);
        expect(stdout + stderr).not.toContain(TOKEN);
        // Again: only the settling days.
        const again = await cli(
          ["sync", "--api", a.url, "--org", "demo-core", "--days", "5", "--now", NOW, ...t.args],
          { ...t.env, GITHUB_TOKEN: "" },
        ).catch((e: { stderr: string; code: number }) => e);
        // No token anywhere: refused before anything is opened.
        expect((again as { code: number }).code).toBe(1);
        expect((again as { stderr: string }).stderr).toMatch(
          /sync needs a token: set GITHUB_TOKEN, or pass --token-file FILE/,
        );
        const third = await cli(
          [
            "sync",
            "--api",
            a.url,
            "--org",
            "demo-core",
            "--days",
            "5",
            "--now",
            NOW,
            "--token",
            TOKEN,
            ...t.args,
          ],
          t.env,
        );
        expect(third.stdout).toMatch(/org:demo-core: .*; 3 days synced/);
        expect(third.stdout + third.stderr).not.toContain(TOKEN);
      } finally {
        await t.cleanup();
      }
    });

    it(`a bad token exits non-zero with a clear message that does not show it (${target.name})`, async () => {
      const t = await target.create();
      try {
        const err = (await cli(["sync", "--api", a.url, "--org", "demo-core", "--now", NOW, ...t.args], {
          ...t.env,
          GITHUB_TOKEN: BAD,
        }).then(
          () => null,
          (e: unknown) => e,
        )) as { code: number; stdout: string; stderr: string } | null;
        expect(err).not.toBeNull();
        expect(err!.code).toBe(1);
        expect(err!.stderr).toMatch(
          /pilotlog: sync: GET http:\/\/127\.0\.0\.1:\d+\/orgs\/demo-core\/copilot\/billing\/seats answered 401 \(Bad credentials\): the token was refused; check --token, --token-file or GITHUB_TOKEN/,
        );
        expect(err!.stdout + err!.stderr).not.toContain(BAD);
        expect(err!.stderr).not.toMatch(/\n\s+at /);
      } finally {
        await t.cleanup();
      }
    });

    if (target.name === "pglite")
      it("sends its work to the server that holds the data folder, as import does", async () => {
        const t = await target.create();
        try {
          const s = await serve(t.args, t.env, NOW);
          try {
            const { stdout, stderr } = await cli(
              ["sync", "--api", a.url, "--org", "demo-core", "--days", "3", "--now", NOW, ...t.args],
              { ...t.env, GITHUB_TOKEN: TOKEN },
            );
            expect(stdout).toMatch(/into the running server at http:\/\/127\.0\.0\.1:\d+:/);
            expect(stdout).toMatch(/org:demo-core: .*; 3 days synced \([1-9]\d* user-day records/);
            expect(stdout + stderr + s.output()).not.toContain(TOKEN);
            // The server recorded the days: over 4 days, a second run fetches the one new day and the 3 settling ones.
            const again = await cli(
              ["sync", "--api", a.url, "--org", "demo-core", "--days", "4", "--now", NOW, ...t.args],
              { ...t.env, GITHUB_TOKEN: TOKEN },
            );
            expect(again.stdout).toMatch(/org:demo-core: .*; 4 days synced/);
          } finally {
            expect(await stop(s.child)).toBe(0);
          }
        } finally {
          await t.cleanup();
        }
      });

    it(`serve --sync-every runs the sync inside the server and logs one line, never the token (${target.name})`, async () => {
      const t = await target.create();
      try {
        const s = await serve(
          [
            ...t.args,
            "--sync-every",
            "24h",
            "--api",
            a.url,
            "--org",
            "demo-core",
            "--days",
            "4",
            "--log-level",
            "info",
          ],
          { ...t.env, GITHUB_TOKEN: TOKEN },
          NOW,
        );
        try {
          const until = Date.now() + 120_000;
          while (!/sync from /.test(s.output()) && Date.now() < until)
            await new Promise((r) => setTimeout(r, 200));
          const out = s.output();
          expect(out).toMatch(/sync:\s+every 24h from http:\/\/127\.0\.0\.1:\d+ \(org:demo-core\)/);
          expect(out).toMatch(
            /sync from http:\/\/127\.0\.0\.1:\d+: org:demo-core \d+ members, 7 teams, \d+ seats, 4 days, [1-9]\d* records; \d+ days to process/,
          );
          expect(out).not.toContain(TOKEN);
        } finally {
          expect(await stop(s.child)).toBe(0);
        }
        expect(s.output()).not.toContain(TOKEN);
      } finally {
        await t.cleanup();
      }
    });
  }
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cli as runCli,
  type Served,
  serve as serveProcess,
  stop,
  type Target,
  targets,
} from "./helpers/process.js";
import { assertMetricsBody } from "./helpers/schema.js";

const NOW = "2026-11-20T12:00:00Z";
const serve = (args: string[], env: NodeJS.ProcessEnv) => serveProcess(args, env, NOW);
const cli = (args: string[], env: NodeJS.ProcessEnv) => runCli([...args, "--now", NOW], env);

const events = ["mona", "lisa", "tom", "ann", "hubot", "octocat"]
  .map((u, i) =>
    JSON.stringify({
      id: `cli-${i}`,
      type: "completion.accepted",
      user: u,
      timestamp: "2026-11-19T09:00:00Z",
      editor: "vscode",
      language: "python",
      lines: 2,
    }),
  )
  .join("\n");

for (const target of targets) {
  describe(`the built CLI end to end on ${target.name}`, () => {
    let ctx: Awaited<ReturnType<Target["create"]>>;
    let server: Served;

    beforeAll(async () => {
      ctx = await target.create();
      server = await serve(ctx.args, ctx.env);
    });
    afterAll(async () => {
      if (server) await stop(server.child);
      await ctx?.cleanup();
    });

    it("starts, applies the example directory, ingests, processes and reads", async () => {
      const applied = await cli(["apply", "examples/directory.yaml", ...ctx.args], ctx.env);
      expect(applied.stdout).toMatch(/Applied examples\/directory\.yaml/);
      expect(applied.stdout).toMatch(/organizations 2 new/);

      const again = await cli(["apply", "examples/directory.yaml", ...ctx.args], ctx.env);
      expect(again.stdout).toMatch(/nothing changed/);

      const res = await fetch(`${server.url}/telemetry/v1/events`, {
        method: "POST",
        headers: { authorization: "Bearer pl_example_relay", "content-type": "application/x-ndjson" },
        body: events,
      });
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ accepted: 5, dropped: 1, rejected: [] });

      const processed = await cli(["process", "--day", "2026-11-19", ...ctx.args], ctx.env);
      expect(processed.stdout).toMatch(/2026-11-19: 5 active users/);

      const read = await fetch(`${server.url}/orgs/octo-org/copilot/metrics`, {
        headers: { authorization: "token pl_example_org_owner" },
      });
      expect(read.status).toBe(200);
      const body = (await read.json()) as { date: string; total_engaged_users: number }[];
      assertMetricsBody(body);
      expect(body.at(-1)).toMatchObject({ date: "2026-11-19" });
    });

    it("creates a token whose secret is shown once, lists it without the secret, and revokes it for the next request", async () => {
      const created = await cli(
        [
          "token",
          "create",
          "--kind",
          "classic",
          "--user",
          "org-owner",
          "--scopes",
          "read:org",
          "--label",
          "ci",
          ...ctx.args,
        ],
        ctx.env,
      );
      const secret = /\n {2}(pl_\S+)\n/.exec(created.stdout)![1]!;
      const id = /token ([0-9a-f]{12})\./.exec(created.stdout)![1]!;
      const read = () =>
        fetch(`${server.url}/orgs/octo-org/copilot/metrics`, {
          headers: { authorization: `Bearer ${secret}` },
        });
      expect((await read()).status).toBe(200);
      const listed = await cli(["token", "list", ...ctx.args], ctx.env);
      expect(listed.stdout).toContain(id);
      expect(listed.stdout).not.toContain(secret);
      const revoked = await cli(["token", "revoke", id, ...ctx.args], ctx.env);
      expect(revoked.stdout).toMatch(/Revoked .* revoked/);
      const after = await read();
      expect([after.status, ((await after.json()) as { message: string }).message]).toEqual([
        401,
        "Bad credentials",
      ]);
      const bad = await cli(
        ["token", "create", "--kind", "fine_grained", "--user", "x", ...ctx.args],
        ctx.env,
      ).catch((e: { stderr: string }) => e);
      expect((bad as { stderr: string }).stderr).toContain("--resource-owner ORG");
    });

    it("refuses a bad directory file with the file, the path and the reason, applying nothing", async () => {
      const bad = join(tmpdir(), `pilotlog-bad-${process.pid}.yaml`);
      const { writeFileSync } = await import("node:fs");
      writeFileSync(bad, "organizations:\n  - login: fine-org\n    members: [ok, 'bad login!']\n");
      const err = await cli(["apply", bad, ...ctx.args], ctx.env).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect(err).toMatchObject({ code: 1 });
      expect((err as { stderr: string }).stderr).toContain(`${bad}: organizations[0].members[1]`);
      const read = await fetch(`${server.url}/orgs/fine-org/copilot/metrics`, {
        headers: { authorization: "token pl_example_org_owner" },
      });
      expect(read.status).toBe(404);
      rmSync(bad);
    });

    it("stops cleanly on SIGTERM", async () => {
      expect(await stop(server.child)).toBe(0);
    });
  });
}

describe("the built CLI on an embedded data folder without a server", () => {
  const dir = mkdtempSync(join(tmpdir(), "pilotlog-local-"));
  const env = { ...process.env, DATABASE_URL: "" };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("applies and processes on its own, then a second server on the same folder is refused clearly", async () => {
    const applied = await cli(["apply", "examples/directory.yaml", "--data", dir], env);
    expect(applied.stdout).toMatch(/Applied examples\/directory\.yaml to \/.*pilotlog-local-/);
    const processed = await cli(["process", "--data", dir], env);
    expect(processed.stdout).toMatch(/Processed 28 day\(s\) \(28 without activity/);
    const bad = await cli(["process", "--day", "2026-11-20", "--data", dir], env).catch(
      (e: { stderr: string }) => e,
    );
    expect((bad as { stderr: string }).stderr).toContain("2026-11-20 is not over yet");

    const first = await serve(["--data", dir], env);
    const second = await serve(["--data", dir], env).catch((e: Error) => e);
    expect(String(second)).toMatch(/The data folder \S+ is in use by pid \d+ \(pilotlog serve/);
    expect(await stop(first.child)).toBe(0);
  });
});

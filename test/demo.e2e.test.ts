import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertErrorBody, assertMetricsBody } from "./helpers/schema.js";

interface TokensOut {
  url: string;
  enterprise_owner: string;
  billing_manager: string;
  org_owner: string;
  member: string;
  relay: string;
  routes: string[];
}

describe("npm run demo", () => {
  const dir = mkdtempSync(join(tmpdir(), "pilotlog-demo-"));
  const tokensFile = join(dir, "tokens.json");
  let child: ChildProcess | null = null;
  let output = "";
  afterAll(() => {
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });

  it("builds the world, ingests and processes 28 days, serves them, and writes the tokens file", {
    timeout: 180_000,
  }, async () => {
    child = spawn(
      "npm",
      [
        "run",
        "demo",
        "--",
        "--users",
        "300",
        "--port",
        "0",
        "--data",
        join(dir, "data"),
        "--tokens-out",
        tokensFile,
        "--now",
        "2026-11-20T12:00:00Z",
        "--sandbox",
      ],
      {
        detached: true,
        env: { ...process.env, DATABASE_URL: "" },
      },
    );
    child.stdout!.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr!.on("data", (b: Buffer) => (output += b.toString()));
    for (let i = 0; i < 1500 && !existsSync(tokensFile); i++) {
      if (child.exitCode !== null) throw new Error(`demo exited: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const tokens = JSON.parse(readFileSync(tokensFile, "utf8")) as TokensOut;
    expect(output).toMatch(/Ingested \d+ events through POST \/telemetry\/v1\/events/);
    expect(output).toMatch(/Processed 28 days into \d+ day documents/);
    expect(tokens.routes).toHaveLength(18);

    const get = (path: string, token: string) =>
      fetch(`${tokens.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    let served = 0;
    for (const route of tokens.routes) {
      const res = await get(route, tokens.enterprise_owner);
      const body = (await res.json()) as unknown[];
      if (res.status === 200) {
        assertMetricsBody(body);
        served += body.length;
      } else {
        expect(res.status).toBe(422); // demo-legacy has the policy off
        assertErrorBody(body);
      }
    }
    expect(served).toBeGreaterThan(100);
    const org = (await (await get("/orgs/demo-core/copilot/metrics", tokens.org_owner)).json()) as {
      date: string;
    }[];
    expect(org.at(-1)!.date).toBe("2026-11-19");
    expect((await get("/orgs/demo-core/copilot/metrics", tokens.member)).status).toBe(403);
    expect((await get("/orgs/demo-core/copilot/metrics", tokens.billing_manager)).status).toBe(200);

    // Sandbox controls: move the clock a day on, then reset the world.
    const clock = await fetch(`${tokens.url}/_pilotlog/clock`, {
      method: "POST",
      body: JSON.stringify({ now: "2026-11-21T12:00:00Z" }),
      headers: { "content-type": "application/json" },
    });
    expect(((await clock.json()) as { now: string }).now).toMatch(/^2026-11-21T12:00/);
    const reset = await fetch(`${tokens.url}/_pilotlog/reset`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(await reset.json()).toMatchObject({ reset: true, seeded: { documents: expect.any(Number) } });
    const after = (await (await get("/orgs/demo-core/copilot/metrics", tokens.org_owner)).json()) as {
      date: string;
    }[];
    expect(after.at(-1)!.date).toBe("2026-11-20");

    process.kill(-child.pid!, "SIGTERM");
    await new Promise((r) => child!.once("exit", r));
  });
});

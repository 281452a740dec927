/**
 * `npm run demo` and `npm start` (serve) keep their data apart: the demo's default folder is `.pilotlog-demo`, so
 * the README walkthrough after the quick start starts from an empty `.pilotlog`.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, stop } from "./helpers/process.js";

describe("the demo's data folder", () => {
  const cwd = mkdtempSync(join(tmpdir(), "pilotlog-demo-folder-"));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it("is .pilotlog-demo by default, never serve's .pilotlog", { timeout: 120_000 }, async () => {
    const tokens = join(cwd, "tokens.json");
    const { PILOTLOG_DATA: _, ...rest } = process.env;
    const child = spawn(
      process.execPath,
      [BIN, "demo", "--users", "20", "--port", "0", "--now", "2026-11-20T12:00:00Z", "--tokens-out", tokens],
      { cwd, env: { ...rest, DATABASE_URL: "" } },
    );
    let output = "";
    child.stdout!.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr!.on("data", (b: Buffer) => (output += b.toString()));
    while (!existsSync(tokens) || readFileSync(tokens, "utf8") === "") {
      if (child.exitCode !== null) throw new Error(`demo exited: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(output).toContain(`(data: ${join(cwd, ".pilotlog-demo")})`);
    expect(existsSync(join(cwd, ".pilotlog-demo", "pilotlog.lock"))).toBe(true);
    expect(existsSync(join(cwd, ".pilotlog"))).toBe(false);
    expect(await stop(child)).toBe(0);
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { cli } from "./helpers/process.js";

// `pilotlog import` as a user runs it: a folder with a gzipped NDJSON file, a bad line and an aggregate that does
// not add up; the summary names what was imported, skipped and mismatched.
describe("pilotlog import (CLI)", () => {
  it("imports a folder, reports the bad line and the aggregate mismatch, and is idempotent", {
    timeout: 60_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "pilotlog-import-cli-"));
    const files = join(dir, "files");
    const rec = (login: string, gen: number) =>
      JSON.stringify({
        day: "2026-11-01",
        organization_id: "5",
        user_login: login,
        code_generation_activity_count: gen,
      });
    mkdirSync(files);
    writeFileSync(
      join(files, "a-users.ndjson.gz"),
      gzipSync(`${rec("mona", 2)}\n{oops\n${rec("hubot", 3)}\n`),
    );
    writeFileSync(
      join(files, "b-org.json"),
      JSON.stringify({
        day: "2026-11-01",
        organization_id: "5",
        daily_active_users: 2,
        code_generation_activity_count: 9,
      }),
    );
    const env = { ...process.env, DATABASE_URL: "" };
    const args = ["import", "--data", join(dir, "data"), "--org", "my-org", files];
    const first = await cli(args, env);
    expect(first.stdout).toContain("Imported 2 user-day records of 2 users over 1 days");
    expect(first.stdout).toContain("Created 2 users, 1 organizations, 0 enterprises, 0 teams.");
    expect(first.stdout).toContain(`${join(files, "a-users.ndjson.gz")}:2: not JSON`);
    expect(first.stdout).toContain("code_generation_activity_count 9 ≠ 5 summed over user records");
    const again = await cli(args, env);
    expect(again.stdout).toContain("Imported 2 user-day records");
    expect(again.stdout).toContain("Created 0 users, 0 organizations, 0 enterprises, 0 teams.");
  });
});

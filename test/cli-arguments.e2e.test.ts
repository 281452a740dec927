/**
 * The built CLI as a user runs it: bad arguments are refused before any database is opened (no folder is
 * created), with a message naming the flag and the fix; mistyped commands get a suggestion; `--version` prints
 * the package's version; `serve --host` errors name the listen address; a server that dies with a command's work
 * in flight gives one line, not a stack trace; `apply` warns about team members outside their organization
 * (`--strict` refuses them); `token create` refuses unknown scopes, permissions and users.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, cli, type Served, serve, stop } from "./helpers/process.js";

const NOW = "2026-11-20T12:00:00Z";
const env = { ...process.env, DATABASE_URL: "" };
const root = mkdtempSync(join(tmpdir(), "pilotlog-args-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the CLI and returns its exit code and output, whatever the code. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await cli(args, env);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** One line on stderr, prefixed `pilotlog:`, with no stack trace. */
function oneLine(stderr: string): string {
  expect(stderr).not.toMatch(/\n\s+at |TypeError|Error:/);
  const lines = stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^pilotlog: /);
  return lines[0]!;
}

describe("CLI arguments are checked before the database is opened", () => {
  const never = join(root, "never-created");

  it.each([
    [["process", "--day", "2026-13-45"], /--day must be a real date written YYYY-MM-DD .*got "2026-13-45"/],
    [["process", "--day", "2026-11-25"], /2026-11-25 is not over yet \(today is 2026-11-20\)/],
    [["process", "--day", "2026-01-05"], /before the 28-day window .* raise --window-days/],
    [
      ["token", "create", "--kind", "classic", "--user", "mona", "--scopes", "read:orgs"],
      /unknown scope read:orgs; did you mean read:org\?/,
    ],
    [
      [
        "token",
        "create",
        "--kind",
        "fine_grained",
        "--user",
        "mona",
        "--resource-owner",
        "o",
        "--permissions",
        "copilot_busines=read",
      ],
      /unknown permission copilot_busines; did you mean copilot_business\?/,
    ],
    [["token", "create", "--kind", "clasic", "--user", "mona"], /--kind must be one of classic, /],
    [["token", "revoke", "xyz"], /a token id is 6 to 64 hex digits/],
  ])("%j fails at once with a clear message and creates no data folder", async (args, message) => {
    const r = await run([...args, "--data", never, "--now", NOW]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(message);
    expect(existsSync(never)).toBe(false);
  });

  it("names a listen address that is not this machine's, or does not resolve, before opening the database", async () => {
    for (const [host, why] of [
      ["10.255.255.1", "10.255.255.1 is not an address of this machine (EADDRNOTAVAIL)"],
      ["not-a-host.invalid", 'the host name "not-a-host.invalid" does not resolve'],
    ] as const) {
      const r = await run(["serve", "--host", host, "--port", "0", "--data", never]);
      expect(r.code).toBe(1);
      const line = oneLine(r.stderr);
      expect(line).toContain(`cannot listen on ${host}:0: ${why}`);
      expect(line).toContain("pass --host");
      expect(line).not.toContain("DATABASE_URL");
      expect(existsSync(never)).toBe(false);
    }
  });

  it("suggests the command meant by a typo, and prints the package version", async () => {
    const typo = await run(["procss", "--day", "2026-11-19"]);
    expect(typo.code).toBe(1);
    expect(oneLine(typo.stderr)).toMatch(
      /unknown command "procss"; did you mean "process"\? The commands are serve, /,
    );
    const far = await run(["frobnicate"]);
    expect(oneLine(far.stderr)).toMatch(/unknown command "frobnicate"\. The commands are/);
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as {
      version: string;
    };
    for (const flag of ["--version", "-V"]) {
      const v = await run([flag]);
      expect([v.code, v.stdout]).toEqual([0, `${pkg.version}\n`]);
    }
  });
});

describe("directory files: team members outside their organization, tokens for unknown users", () => {
  const dir = join(root, "directory");
  const file = join(root, "typo.yaml");
  writeFileSync(
    file,
    `organizations:
  - login: typo-org
    owners: [boss]
    members: [tom, mona, lisa]
    teams:
      - { slug: core, members: [mona, tomm, boss] }
      - { slug: ops, members: [zed] }
`,
  );

  it("apply --strict refuses the file and applies nothing; apply warns with file, path, login and the closest member", async () => {
    const strict = await run(["apply", file, "--strict", "--data", dir, "--now", NOW]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(
      `${file}: organizations[0].teams[0].members[1]: tomm is in team core but not an owner or member of typo-org; did you mean tom?`,
    );
    expect(strict.stderr).toContain(`${file}: organizations[0].teams[1].members[0]: zed is in team ops`);
    expect(strict.stderr).toContain(`Nothing of ${file} was applied.`);

    const applied = await run(["apply", file, "--data", dir, "--now", NOW]);
    expect(applied.code).toBe(0);
    // Nothing was applied by the strict run: the organization is new now.
    expect(applied.stdout).toMatch(/organizations 1 new/);
    const warnings = applied.stderr.trimEnd().split("\n");
    expect(warnings).toEqual([
      `pilotlog: warning: ${file}: organizations[0].teams[0].members[1]: tomm is in team core but not an owner or member of typo-org; did you mean tom? Add tomm to the organization's members, or correct the login`,
      `pilotlog: warning: ${file}: organizations[0].teams[1].members[0]: zed is in team ops but not an owner or member of typo-org. Add zed to the organization's members, or correct the login`,
      "(`apply --strict` refuses a file with warnings)",
    ]);
  });

  it("a running server applies the same way: warnings printed, --strict refused", async () => {
    const served = mkdtempSync(join(root, "served-"));
    const server = await serve(["--data", served], env, NOW);
    try {
      const strict = await run(["apply", file, "--strict", "--data", served]);
      expect(strict.code).toBe(1);
      expect(strict.stderr).toContain(
        "tomm is in team core but not an owner or member of typo-org; did you mean tom?",
      );
      const applied = await run(["apply", file, "--data", served]);
      expect(applied.stdout).toContain(`to the running server at ${server.url}`);
      expect(applied.stdout).toMatch(/organizations 1 new/);
      expect(applied.stderr).toContain(
        `pilotlog: warning: ${file}: organizations[0].teams[0].members[1]: tomm`,
      );
    } finally {
      await stop(server.child);
    }
  });

  it("token create refuses a user no directory names, suggesting the closest login", async () => {
    const r = await run([
      "token",
      "create",
      "--kind",
      "classic",
      "--user",
      "lisaa",
      "--scopes",
      "read:org",
      "--data",
      dir,
    ]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(
      /no user "lisaa" in the directory; did you mean "lisa"\? .*npx pilotlog apply FILE/,
    );
    const ok = await run([
      "token",
      "create",
      "--kind",
      "classic",
      "--user",
      "lisa",
      "--scopes",
      "read:org",
      "--data",
      dir,
    ]);
    expect(ok.code).toBe(0);
  });
});

/**
 * Resolves once process `pid` has a TCP connection established to `port` on this machine (Linux: its socket
 * inodes in /proc/PID/fd matched against /proc/net/tcp and tcp6). Only that process's sockets count: the test's
 * own keep-alive connection to the server (left by the readiness check) must not.
 */
async function connectionTo(port: number, pid: number): Promise<void> {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  for (;;) {
    const inodes = new Set<string>();
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
          if (m) inodes.add(m[1]!);
        } catch {
          // closed meanwhile
        }
      }
    } catch {
      // the process has not started or has ended
    }
    for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
      const rows = existsSync(table) ? readFileSync(table, "utf8").split("\n").slice(1) : [];
      // Columns: sl, local_address, rem_address, st, …, inode (the 10th); the client's side has the server's
      // port as remote.
      if (
        rows.some((r) => {
          const c = r.trim().split(/\s+/);
          return c[2]?.endsWith(`:${hex}`) && c[3] === "01" && inodes.has(c[9] ?? "");
        })
      )
        return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = "";
  child.stderr!.on("data", (b: Buffer) => {
    stderr += b.toString();
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stderr })));
}

describe("a server that dies with a command's work in flight", () => {
  it.each([
    ["apply", ["apply", "examples/directory.yaml"], /before apply finished .*run the same apply again/],
    ["process", ["process"], /before process finished .*run process again/],
    [
      "token",
      ["token", "create", "--kind", "ingest"],
      /before token finished .*check with `npx pilotlog token list`/,
    ],
  ])("%s prints one line naming the server and what to do", async (_name, args, message) => {
    const dir = mkdtempSync(join(root, "dying-"));
    const server: Served = await serve(["--data", dir], env, NOW);
    const port = Number(new URL(server.url).port);
    // Stopped, the server still holds the folder and its port: the command connects and waits for an answer.
    server.child.kill("SIGSTOP");
    const command = spawn(process.execPath, [BIN, ...args, "--data", dir, "--now", NOW], { env });
    const done = exited(command);
    await connectionTo(port, command.pid!);
    server.child.kill("SIGKILL");
    await stop(server.child);
    const { code, stderr } = await done;
    expect(code).toBe(1);
    const line = oneLine(stderr);
    expect(line).toContain(`the server at ${server.url} stopped answering`);
    expect(line).toMatch(message);
  });
});

/**
 * The database runs out of a resource or an operator cancels the statement (issue 12, RELIABILITY.md). Real
 * PostgreSQL errors, raised by the database itself: triggers installed on the store fail inserts of chosen days
 * with SQLSTATE 53100 (disk full), 53200 (out of memory) or 57014 (statement cancelled), one of them only at
 * COMMIT. `pilotlog serve` must answer 503 with Retry-After and GitHub's body, never 500 and never a 202 for
 * what was not committed, keep serving, and log each failure in one bounded line without the request's body or
 * the statement's parameters.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgliteDb } from "../../src/db/pglite.js";
import { LOG_LIMITS } from "../../src/http/log.js";
import { cli, type Served, serve, stop, type Target, targets } from "../helpers/process.js";
import { assertErrorBody } from "../helpers/schema.js";

const NOW = "2026-11-20T12:00:00Z";
const HEALTHY_DAY = "2026-11-19";
const EVENTS = 3000;
const MARKER = "BODYMARKER";

/** Day → the SQLSTATE its inserts fail with, and whether at the statement or only at COMMIT. */
const FAULTS = [
  {
    day: "2026-11-17",
    code: "53100",
    message: "could not extend file: No space left on device",
    atCommit: false,
  },
  {
    day: "2026-11-16",
    code: "53100",
    message: "could not write WAL: No space left on device",
    atCommit: true,
  },
  { day: "2026-11-15", code: "53200", message: "out of memory", atCommit: false },
  { day: "2026-11-14", code: "57014", message: "canceling statement due to user request", atCommit: false },
];

const TRIGGERS = [
  `CREATE FUNCTION pilotlog_fault() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION USING ERRCODE = TG_ARGV[0], MESSAGE = TG_ARGV[1], DETAIL = repeat('d', 5000);
   END $$`,
  ...FAULTS.map((f, i) =>
    f.atCommit
      ? `CREATE CONSTRAINT TRIGGER fault_${i} AFTER INSERT ON event_ids DEFERRABLE INITIALLY DEFERRED
         FOR EACH ROW WHEN (NEW.day = DATE '${f.day}') EXECUTE FUNCTION pilotlog_fault('${f.code}', '${f.message}')`
      : `CREATE TRIGGER fault_${i} BEFORE INSERT ON event_ids
         FOR EACH ROW WHEN (NEW.day = DATE '${f.day}') EXECUTE FUNCTION pilotlog_fault('${f.code}', '${f.message}')`,
  ),
].join(";\n");

const DIRECTORY = `
organizations:
  - login: res-org
    owners: [boss]
    members: [r1, r2, r3, r4, r5]
    seats: [r1, r2, r3, r4, r5]
tokens:
  - { token: pl_res_relay, kind: ingest }
`;

/** A big batch (about 1 MB): events of `day`, and one of the healthy day that must not be stored either. */
const batch = (tag: string, day: string) =>
  Array.from({ length: EVENTS }, (_, i) =>
    JSON.stringify({
      id: `${MARKER}-${tag}-${i}-${"x".repeat(90)}`,
      type: "completion.suggested",
      user: `r${(i % 5) + 1}`,
      timestamp: `${i === 0 ? HEALTHY_DAY : day}T10:00:00Z`,
      editor: "vscode",
      language: "go",
      lines: 1,
    }),
  ).join("\n");

/** Runs SQL (one statement, or several when `script`) on the target's store while no server holds it. */
async function onStore<T>(
  target: Target["name"],
  ctx: { env: NodeJS.ProcessEnv; args: string[] },
  sql: string,
  script = false,
): Promise<T[]> {
  if (target === "pglite") {
    const db = await PgliteDb.open(join(ctx.args[1]!, "pgdata"));
    try {
      if (!script) return await db.query<T>(sql);
      await db.exec(sql);
      return [];
    } finally {
      await db.close();
    }
  }
  const client = new pg.Client({ connectionString: ctx.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

for (const target of targets) {
  describe(`database resource errors on ${target.name}`, () => {
    let ctx: Awaited<ReturnType<Target["create"]>>;
    let server: Served | undefined;
    beforeAll(async () => {
      ctx = await target.create();
    });
    afterAll(async () => {
      if (server) await stop(server.child);
      await ctx?.cleanup();
    });

    it("answers 503 with Retry-After (never 500, never a false 202), keeps serving, and logs bounded lines", async () => {
      const file = join(tmpdir(), `res-directory-${process.pid}.yaml`);
      writeFileSync(file, DIRECTORY);
      await cli(["apply", file, ...ctx.args, "--now", NOW], ctx.env);
      await onStore(target.name, ctx, TRIGGERS, true);

      server = await serve([...ctx.args, "--log-level", "info"], ctx.env, NOW);
      const post = (body: string) =>
        fetch(`${server!.url}/telemetry/v1/events`, {
          method: "POST",
          headers: { authorization: "Bearer pl_res_relay", "content-type": "application/x-ndjson" },
          body,
        });

      for (const f of FAULTS) {
        const res = await post(batch(f.day, f.day));
        const body = (await res.json()) as { message: string };
        expect({ day: f.day, status: res.status, answer: res.status === 503 ? "" : body }).toEqual({
          day: f.day,
          status: 503,
          answer: "",
        });
        expect(res.headers.get("retry-after")).toBe("5");
        assertErrorBody(body);
        expect(body.message).toMatch(/^The database is (out of resources|busy)/);
      }
      const ok = await post(batch("healthy", HEALTHY_DAY));
      expect(ok.status).toBe(202);
      expect(((await ok.json()) as { accepted: number }).accepted).toBe(EVENTS);
      expect(server.child.exitCode).toBeNull();

      expect(await stop(server.child)).toBe(0);
      const log = server.output();
      server = undefined;
      const [stored] = await onStore<{ n: number }>(
        target.name,
        ctx,
        "SELECT count(*)::int AS n FROM event_ids",
      );
      // Only the healthy batch: the failed ones, their healthy-day event included, left nothing.
      expect(stored!.n).toBe(EVENTS);

      const lines = log.split("\n");
      const longest = Math.max(...lines.map((l) => Buffer.byteLength(l)));
      console.log(
        `[resources ${target.name}] ${FAULTS.length} faults answered 503; ${log.length} bytes of log in ${lines.length} lines, longest ${longest} bytes`,
      );
      expect(longest).toBeLessThanOrEqual(LOG_LIMITS.line);
      expect(log).not.toContain(MARKER);
      expect(log).not.toContain("x".repeat(50));
      for (const f of FAULTS) {
        expect(log).toContain(f.code);
        expect(log).toContain(f.message);
      }
    }, 120_000);
  });
}

import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import type { Db } from "../db/db.js";
import { ADVANCE_DIRECTORY } from "../db/generation.js";
import type { AppContext } from "../http/context.js";
import { localRoutes } from "../http/local-body.js";
import { parseRfc3339 } from "../util/time.js";

/**
 * Empties every table that holds data, keeping the schema. Kept: the migrator's bookkeeping, the link-signing secret
 * (links already handed out stay verifiable, and fail only because their files are gone), and the one-row apply
 * state, which is cleared instead. The tables are read from the catalogue, so a table a later migration adds is
 * emptied too instead of surviving a reset; the names are quoted by `format('%I')` inside the statement, so no
 * text is spliced into SQL here.
 */
const TRUNCATE_DATA_TABLES = `DO $$
DECLARE names text;
BEGIN
  SELECT string_agg(format('%I', tablename), ', ' ORDER BY tablename) INTO names FROM pg_tables
   WHERE schemaname = current_schema()
     AND tablename NOT IN ('schema_migrations', 'report_link_secret', 'directory_applied');
  EXECUTE 'TRUNCATE ' || names || ' RESTART IDENTITY CASCADE';
END
$$`;

/** Empties the store, keeping the schema. */
export async function wipe(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(TRUNCATE_DATA_TABLES);
    await tx.query("UPDATE directory_applied SET file_hash = NULL, text_hash = NULL, warnings = '[]'");
    await tx.query(ADVANCE_DIRECTORY);
  });
}

const ClockBody = Type.Object(
  { now: Type.String({ maxLength: 100, format: "rfc3339" }) },
  { additionalProperties: false },
);
const EmptyBody = Type.Object({}, { additionalProperties: false });

/**
 * Sandbox controls for tool builders (only with `--sandbox`): `POST /_pilotlog/clock {"now"}` moves the server's
 * clock; `POST /_pilotlog/reset` empties the store and, for the demo, seeds the world again. JSON bodies only,
 * never from another origin (local-guard.ts): any web page could otherwise wipe the store.
 */
export function registerSandboxRoutes(app: FastifyInstance, ctx: AppContext): void {
  const sandbox = ctx.sandbox;
  if (!sandbox) return;
  localRoutes(app, (scope) => {
    scope.post(
      "/_pilotlog/clock",
      { schema: { body: ClockBody }, config: { resource: "Clock" } },
      async (req) => {
        // The schema has checked the format, so parsing succeeds.
        const now = parseRfc3339((req.body as Static<typeof ClockBody>).now)!;
        sandbox.setNow(now);
        return { now: ctx.clock.now().toISOString() };
      },
    );
    scope.post(
      "/_pilotlog/reset",
      { schema: { body: EmptyBody }, config: { resource: "Reset" } },
      async () => {
        await wipe(ctx.db);
        const seeded = await sandbox.reseed?.();
        return { reset: true, ...(seeded ? { seeded } : {}) };
      },
    );
  });
}

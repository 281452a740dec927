import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import type { Db } from "../db/db.js";
import { ADVANCE_DIRECTORY } from "../db/generation.js";
import type { AppContext } from "../http/context.js";
import { localRoutes } from "../http/local-body.js";
import { parseRfc3339 } from "../util/time.js";

/**
 * Tables a reset keeps: the migrator's bookkeeping, the link-signing secret (links already handed out stay
 * verifiable, and fail only because their files are gone), and the one-row apply state, which is cleared instead.
 * Every other table holds data and is emptied: the list is read from the database, so a table a later migration
 * adds is emptied too instead of surviving a reset.
 */
const KEPT_TABLES = new Set(["schema_migrations", "report_link_secret", "directory_applied"]);

/** Empties the store, keeping the schema. */
export async function wipe(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    const tables = (
      await tx.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
      )
    )
      .map((t) => t.tablename)
      .filter((t) => !KEPT_TABLES.has(t));
    await tx.query(`TRUNCATE ${tables.map((t) => `"${t}"`).join(", ")} RESTART IDENTITY CASCADE`);
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

import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import type { Db } from "../db/db.js";
import { ADVANCE_DIRECTORY } from "../db/generation.js";
import type { AppContext } from "../http/context.js";
import { localRoutes } from "../http/local-body.js";
import { parseRfc3339 } from "../util/time.js";

/** Every table that holds data (not the schema's bookkeeping). */
const DATA_TABLES = [
  "day_documents",
  "processed_days",
  "dirty_days",
  "facts",
  "event_ids",
  "user_day_values",
  "tokens",
  "custom_models",
  "grants",
  "user_telemetry",
  "teams",
  "users",
  "organizations",
  "enterprises",
];

/** Empties the store, keeping the schema. */
export async function wipe(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`TRUNCATE ${DATA_TABLES.join(", ")} RESTART IDENTITY CASCADE`);
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

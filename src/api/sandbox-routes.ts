import type { FastifyInstance } from "fastify";
import type { Db } from "../db/db.js";
import { ADVANCE_DIRECTORY } from "../db/generation.js";
import { parseRfc3339 } from "../util/time.js";
import type { AppContext } from "./context.js";
import { ApiError } from "./errors.js";
import { localRoutes } from "./local-body.js";

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

const CLOCK_BODY = {
  type: "object",
  required: ["now"],
  additionalProperties: false,
  properties: { now: { type: "string", maxLength: 100 } },
} as const;
const EMPTY_BODY = { type: "object", additionalProperties: false, properties: {} } as const;

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
      { schema: { body: CLOCK_BODY }, config: { resource: "Clock" } },
      async (req) => {
        const now = parseRfc3339((req.body as { now: string }).now);
        if (!now) {
          throw new ApiError("validation_failed", undefined, {
            errors: [
              {
                resource: "Clock",
                field: "now",
                code: "invalid",
                message: "now must be an RFC 3339 timestamp such as 2026-11-20T12:00:00Z",
              },
            ],
          });
        }
        sandbox.setNow(now);
        return { now: ctx.clock.now().toISOString() };
      },
    );
    scope.post(
      "/_pilotlog/reset",
      { schema: { body: EMPTY_BODY }, config: { resource: "Reset" } },
      async () => {
        await wipe(ctx.db);
        const seeded = await sandbox.reseed?.();
        return { reset: true, ...(seeded ? { seeded } : {}) };
      },
    );
  });
}

import type { FastifyInstance } from "fastify";
import type { Db } from "../db/db.js";
import { ADVANCE_DIRECTORY } from "../db/generation.js";
import { parseRfc3339 } from "../util/time.js";
import type { AppContext } from "./context.js";
import { ApiError } from "./errors.js";

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

function body(raw: unknown): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(Buffer.isBuffer(raw) ? raw.toString("utf8") : "{}");
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* answered below */
  }
  throw new ApiError("bad_request", 'expected a JSON object such as {"now": "2026-11-20T12:00:00Z"}');
}

/**
 * Sandbox controls for tool builders (only with `--sandbox`): `POST /_pilotlog/clock {"now"}` moves the server's
 * clock; `POST /_pilotlog/reset` empties the store and, for the demo, seeds the world again.
 */
export function registerSandboxRoutes(app: FastifyInstance, ctx: AppContext): void {
  const sandbox = ctx.sandbox;
  if (!sandbox) return;
  app.post("/_pilotlog/clock", async (req) => {
    const b = body(req.body);
    const now = typeof b.now === "string" ? parseRfc3339(b.now) : null;
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
  });
  app.post("/_pilotlog/reset", async () => {
    await wipe(ctx.db);
    const seeded = await sandbox.reseed?.();
    return { reset: true, ...(seeded ? { seeded } : {}) };
  });
}

import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { applyDirectoryText } from "../directory/apply.js";
import { DirectoryFileError } from "../directory/file.js";
import {
  createToken,
  listTokens,
  type NewToken,
  revokeToken,
  TokenRequestError,
} from "../directory/token-store.js";
import { type ImportBatchBody, storeBatch } from "../import/sink.js";
import { ProcessRequestError, runProcessing } from "../rollup/run.js";
import { utcDay } from "../util/time.js";
import type { AppContext } from "./context.js";
import { ApiError } from "./errors.js";

function authorized(ctx: AppContext, req: FastifyRequest): boolean {
  const given = Buffer.from(req.headers["x-pilotlog-admin"]?.toString() ?? "");
  const want = Buffer.from(ctx.adminToken ?? "");
  return want.length > 0 && given.length === want.length && timingSafeEqual(given, want);
}

function jsonBody(req: FastifyRequest): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString("utf8") : "{}");
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* answered below */
  }
  throw new ApiError("bad_request", "expected a JSON object");
}

/**
 * Local admin routes: the CLI sends `apply` and `process` here when this server holds the PGlite data folder.
 * They answer 404 unless the caller shows the secret from the folder's lock file.
 */
export function registerAdminRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post("/_pilotlog/admin/apply", async (req, reply) => {
    if (!authorized(ctx, req)) throw new ApiError("not_found");
    const body = jsonBody(req);
    if (typeof body.text !== "string" || typeof body.fileName !== "string") {
      throw new ApiError("bad_request", "expected {fileName, text}");
    }
    try {
      return await applyDirectoryText(ctx.db, body.text, body.fileName, {
        today: utcDay(ctx.clock.now()),
        windowDays: ctx.windowDays,
      });
    } catch (err) {
      if (err instanceof DirectoryFileError) {
        reply.code(422);
        return { message: err.message, issues: err.issues };
      }
      throw err;
    }
  });

  app.post("/_pilotlog/admin/process", async (req, reply) => {
    if (!authorized(ctx, req)) throw new ApiError("not_found");
    const body = jsonBody(req);
    try {
      const day = typeof body.day === "string" ? body.day : undefined;
      return {
        days: await runProcessing(ctx.db, ctx.clock.now(), {
          windowDays: ctx.windowDays,
          ...(day ? { day } : {}),
        }),
      };
    } catch (err) {
      if (err instanceof ProcessRequestError) {
        reply.code(422);
        return { message: err.message };
      }
      throw err;
    }
  });

  // `pilotlog import` sends its batches here (already parsed and checked by the CLI).
  app.post("/_pilotlog/admin/import", async (req) => {
    if (!authorized(ctx, req)) throw new ApiError("not_found");
    return storeBatch(ctx.db, jsonBody(req) as unknown as ImportBatchBody);
  });

  const tokenRoute = (path: string, work: (body: Record<string, unknown>) => Promise<unknown>) =>
    app.post(path, async (req, reply) => {
      if (!authorized(ctx, req)) throw new ApiError("not_found");
      try {
        return await work(jsonBody(req));
      } catch (err) {
        if (err instanceof TokenRequestError) {
          reply.code(422);
          return { message: err.message };
        }
        throw err;
      }
    });
  tokenRoute("/_pilotlog/admin/tokens/create", (b) =>
    ctx.db.transaction((tx) => createToken(tx, b as unknown as NewToken)),
  );
  tokenRoute("/_pilotlog/admin/tokens/list", () => listTokens(ctx.db));
  tokenRoute("/_pilotlog/admin/tokens/revoke", (b) =>
    ctx.db.transaction((tx) => revokeToken(tx, String(b.id ?? ""), ctx.clock.now())),
  );
}

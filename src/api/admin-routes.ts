import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { applyDirectoryText } from "../directory/apply.js";
import { DirectoryFileError } from "../directory/file.js";
import { TOKEN_KINDS } from "../directory/model.js";
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
import { ApiError, fromCatalogued } from "./errors.js";
import { localRoutes } from "./local-body.js";

/** Whether the request shows the local admin secret (from the PGlite folder's lock file). */
export function authorized(ctx: AppContext, req: FastifyRequest): boolean {
  const given = Buffer.from(req.headers["x-pilotlog-admin"]?.toString() ?? "");
  const want = Buffer.from(ctx.adminToken ?? "");
  return want.length > 0 && given.length === want.length && timingSafeEqual(given, want);
}

const TOKEN_KINDS_LIST = [...TOKEN_KINDS];
const nullableString = { type: ["string", "null"], maxLength: 1000 } as const;

/** Bodies of the admin routes (the CLI sends them; anything else gets a 422 naming the field). */
const SCHEMAS = {
  apply: {
    type: "object",
    required: ["fileName", "text"],
    additionalProperties: false,
    properties: {
      fileName: { type: "string", maxLength: 4096 },
      text: { type: "string" },
      strict: { type: "boolean" },
    },
  },
  importBatch: {
    type: "object",
    required: ["names"],
    additionalProperties: false,
    properties: {
      names: { type: "object" },
      records: { type: "array", maxItems: 10_000, items: { type: "object" } },
      teams: { type: "array", maxItems: 10_000, items: { type: "object" } },
    },
  },
  process: {
    type: "object",
    additionalProperties: false,
    properties: { day: { type: "string", maxLength: 100 } },
  },
  tokenCreate: {
    type: "object",
    required: ["kind"],
    additionalProperties: false,
    properties: {
      kind: { type: "string", enum: TOKEN_KINDS_LIST },
      user: { ...nullableString, default: null },
      scopes: { type: "array", items: { type: "string", maxLength: 100 }, maxItems: 100, default: [] },
      resourceOwner: { ...nullableString, default: null },
      permissions: {
        type: "object",
        additionalProperties: { type: "string", enum: ["read", "write"] },
        maxProperties: 100,
        default: {},
      },
      expiresAt: { ...nullableString, default: null },
      label: { ...nullableString, default: null },
    },
  },
  empty: { type: "object", additionalProperties: false, properties: {} },
  tokenRevoke: {
    type: "object",
    required: ["id"],
    additionalProperties: false,
    properties: { id: { type: "string", minLength: 1, maxLength: 100 } },
  },
} as const;

/**
 * Local admin routes: the CLI sends `apply` and `process` here when this server holds the PGlite data folder.
 * They answer 404 unless the caller shows the secret from the folder's lock file; then the cross-site checks of
 * local-guard.ts, then each body is validated against its schema.
 */
export function registerAdminRoutes(app: FastifyInstance, ctx: AppContext): void {
  localRoutes(
    app,
    (scope) => register(scope, ctx),
    (req) => {
      if (!authorized(ctx, req)) throw new ApiError("not_found");
    },
  );
}

function register(app: FastifyInstance, ctx: AppContext): void {
  const options = (schema: object, resource: string) => ({ schema: { body: schema }, config: { resource } });
  app.post("/_pilotlog/admin/apply", options(SCHEMAS.apply, "DirectoryFile"), async (req, reply) => {
    const body = req.body as { fileName: string; text: string; strict?: boolean };
    try {
      const now = ctx.clock.now();
      return await applyDirectoryText(ctx.db, body.text, body.fileName, {
        today: utcDay(now),
        now,
        windowDays: ctx.windowDays,
        strict: body.strict === true,
      });
    } catch (err) {
      // An Error sent goes through the app's error handler: the catalogue's 422 with GitHub's body.
      if (err instanceof DirectoryFileError) return reply.send(fromCatalogued(err));
      throw err;
    }
  });

  app.post("/_pilotlog/admin/process", options(SCHEMAS.process, "Processing"), async (req, reply) => {
    const body = req.body as { day?: string };
    try {
      const day = body.day;
      return {
        days: await runProcessing(ctx.db, ctx.clock.now(), {
          windowDays: ctx.windowDays,
          ...(day ? { day } : {}),
          onDay: (r) => ctx.metrics?.processed(r, "command"),
        }),
      };
    } catch (err) {
      // An Error sent goes through the app's error handler: the catalogue's 422 with GitHub's body.
      if (err instanceof ProcessRequestError) return reply.send(fromCatalogued(err));
      throw err;
    }
  });

  // `pilotlog import` sends its batches here (parsed and checked record by record by the CLI).
  app.post("/_pilotlog/admin/import", options(SCHEMAS.importBatch, "ImportBatch"), async (req) =>
    storeBatch(ctx.db, req.body as ImportBatchBody),
  );

  const tokenRoute = (path: string, schema: object, work: (body: unknown) => Promise<unknown>) =>
    app.post(path, options(schema, "Token"), async (req, reply) => {
      try {
        return await work(req.body);
      } catch (err) {
        // An Error sent goes through the app's error handler: the catalogue's 422 with GitHub's body.
        if (err instanceof TokenRequestError) return reply.send(fromCatalogued(err));
        throw err;
      }
    });
  tokenRoute("/_pilotlog/admin/tokens/create", SCHEMAS.tokenCreate, (b) =>
    ctx.db.transaction((tx) => createToken(tx, b as NewToken)),
  );
  tokenRoute("/_pilotlog/admin/tokens/list", SCHEMAS.empty, () => listTokens(ctx.db));
  tokenRoute("/_pilotlog/admin/tokens/revoke", SCHEMAS.tokenRevoke, (b) =>
    ctx.db.transaction((tx) => revokeToken(tx, (b as { id: string }).id, ctx.clock.now())),
  );
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { type Static, type TSchema, Type } from "typebox";
import { applyDirectoryText } from "../directory/apply.js";
import { DirectoryFileError } from "../directory/file.js";
import { type NewToken, NewTokenSchema, RevokeTokenSchema } from "../directory/token-schema.js";
import { createToken, listTokens, revokeToken, TokenRequestError } from "../directory/token-store.js";
import type { AppContext } from "../http/context.js";
import { ApiError, fromCatalogued } from "../http/errors.js";
import { localRoutes } from "../http/local-body.js";
import { authorized } from "../http/local-guard.js";
import { type ImportBatchBody, storeBatch } from "../import/sink.js";
import { ProcessRequestError, runProcessing } from "../rollup/run.js";
import { markSynced, readLocalState, type SyncedDay } from "../sync/state.js";
import { utcDay } from "../util/time.js";

/** Bodies of the admin routes (the CLI sends them; anything else gets a 422 naming the field). */
const ApplyBody = Type.Object(
  { fileName: Type.String({ maxLength: 4096 }), text: Type.String(), strict: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
/** Records and team rows are checked one by one by the CLI (import/schema.ts); here only the batch's shape. */
const ImportBatch = Type.Object(
  {
    names: Type.Object({}),
    records: Type.Optional(Type.Array(Type.Object({}), { maxItems: 10_000 })),
    teams: Type.Optional(Type.Array(Type.Object({}), { maxItems: 10_000 })),
  },
  { additionalProperties: false },
);
const ProcessBody = Type.Object(
  { day: Type.Optional(Type.String({ maxLength: 100 })) },
  { additionalProperties: false },
);
const EmptyBody = Type.Object({}, { additionalProperties: false });
const SyncStateBody = Type.Object(
  {
    api: Type.String({ maxLength: 2000 }),
    scopes: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 1000 }),
  },
  { additionalProperties: false },
);
const SyncMarkBody = Type.Object(
  {
    api: Type.String({ maxLength: 2000 }),
    rows: Type.Array(
      Type.Object(
        {
          scope: Type.String({ maxLength: 200 }),
          day: Type.String({ format: "day" }),
          records: Type.Integer({ minimum: 0 }),
          teamRows: Type.Integer({ minimum: 0 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);

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

function register(scope: FastifyInstance, ctx: AppContext): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const options = <S extends TSchema>(body: S, resource: string) => ({
    schema: { body },
    config: { resource },
  });
  app.post("/_pilotlog/admin/apply", options(ApplyBody, "DirectoryFile"), async (req, reply) => {
    const body = req.body;
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

  app.post("/_pilotlog/admin/process", options(ProcessBody, "Processing"), async (req, reply) => {
    const body = req.body;
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
  app.post("/_pilotlog/admin/import", options(ImportBatch, "ImportBatch"), async (req) =>
    storeBatch(ctx.db, req.body as ImportBatchBody),
  );

  // `pilotlog sync` reads and records its progress here when this server holds the data folder.
  app.post("/_pilotlog/admin/sync-state", options(SyncStateBody, "SyncState"), async (req) =>
    readLocalState(ctx.db, req.body.api, req.body.scopes),
  );
  app.post("/_pilotlog/admin/sync-mark", options(SyncMarkBody, "SyncState"), async (req) => {
    const rows: SyncedDay[] = req.body.rows;
    await markSynced(ctx.db, req.body.api, rows, ctx.clock.now());
    return { marked: rows.length };
  });

  const tokenRoute = <S extends TSchema>(
    path: string,
    schema: S,
    work: (body: Static<S>) => Promise<unknown>,
  ) =>
    app.post(path, options(schema, "Token"), async (req, reply) => {
      try {
        return await work(req.body as Static<S>);
      } catch (err) {
        // An Error sent goes through the app's error handler: the catalogue's 422 with GitHub's body.
        if (err instanceof TokenRequestError) return reply.send(fromCatalogued(err));
        throw err;
      }
    });
  // The body's defaults (schema) fill every field NewToken has.
  tokenRoute("/_pilotlog/admin/tokens/create", NewTokenSchema, (b) =>
    ctx.db.transaction((tx) => createToken(tx, b as NewToken)),
  );
  tokenRoute("/_pilotlog/admin/tokens/list", EmptyBody, () => listTokens(ctx.db));
  tokenRoute("/_pilotlog/admin/tokens/revoke", RevokeTokenSchema, (b) =>
    ctx.db.transaction((tx) => revokeToken(tx, b.id, ctx.clock.now())),
  );
}

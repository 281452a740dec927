import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type GraphQLFormattedError, graphql } from "graphql";
import type { AppContext } from "../http/context.js";
import { ApiError } from "../http/errors.js";
import { countRequest } from "../http/rate-limit.js";
import { schema } from "./schema.js";

const DOCS = "https://docs.github.com/graphql";

/** A GraphQL error answer with no data (a request that cannot run at all). */
const refuse = (reply: FastifyReply, message: string) => {
  reply.code(200).type("application/json; charset=utf-8");
  return { errors: [{ message }] };
};

/**
 * POST /graphql and /api/graphql (GitHub Enterprise Server's path): the body `{query, variables,
 * operationName}` runs against pilotlog's small schema. Authentication is GitHub's (401 without a valid
 * token); everything past it answers 200 with GraphQL's `data`/`errors` shape, as GitHub's GraphQL API does.
 */
export function registerGraphqlRoute(app: FastifyInstance, ctx: AppContext): void {
  for (const path of ["/graphql", "/api/graphql"])
    app.post(path, { config: { docs: DOCS } }, (req, reply) => serve(ctx, req, reply));
}

async function serve(ctx: AppContext, req: FastifyRequest, reply: FastifyReply) {
  const now = ctx.clock.now();
  const generation = await ctx.answers.generation(ctx.db);
  let principal: Awaited<ReturnType<typeof ctx.answers.principal>>;
  try {
    principal = await ctx.answers.principal(ctx.db, generation, req.headers.authorization, now);
  } catch (err) {
    if (err instanceof ApiError && err.kind === "requires_authentication")
      throw new ApiError("requires_authentication", "This endpoint requires you to be authenticated.", {
        documentationUrl: DOCS,
      });
    throw err;
  }
  if (ctx.rateLimiter) countRequest(ctx.rateLimiter, principal.key, reply);
  const raw = Buffer.isBuffer(req.body) ? req.body.toString("utf8") : "";
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return refuse(
      reply,
      'Problems parsing JSON: send {"query": "...", "variables": {...}} as application/json',
    );
  }
  if (typeof body !== "object" || body === null || typeof (body as { query?: unknown }).query !== "string")
    return refuse(reply, 'A query attribute must be specified and must be a string: {"query": "{ ... }"}');
  const { query, variables, operationName } = body as {
    query: string;
    variables?: unknown;
    operationName?: unknown;
  };
  const result = await graphql({
    schema,
    source: query,
    contextValue: { db: ctx.db, principal },
    ...(variables && typeof variables === "object"
      ? { variableValues: variables as Record<string, unknown> }
      : {}),
    ...(typeof operationName === "string" ? { operationName } : {}),
  });
  reply.type("application/json; charset=utf-8");
  const out: { data?: unknown; errors?: (GraphQLFormattedError & { type?: unknown })[] } = {};
  if (result.data !== undefined) out.data = result.data;
  if (result.errors)
    out.errors = result.errors.map((e) => {
      const f = e.toJSON();
      // GitHub puts the error's kind at the top level (`"type": "NOT_FOUND"`).
      const type = f.extensions?.type;
      const { extensions: _x, ...rest } = f;
      return type === undefined ? rest : { type, ...rest };
    });
  return out;
}

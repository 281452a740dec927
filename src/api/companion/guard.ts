import type { FastifyReply, FastifyRequest } from "fastify";
import { decide, type Need } from "../access.js";
import { authenticate, type Principal } from "../auth.js";
import type { AppContext } from "../context.js";
import { ApiError } from "../errors.js";
import { countRequest } from "../metrics-route.js";
import { findEnterprise, findOrg } from "../scopes.js";

/** The request's principal (401 without a valid token), counted against its rate limit. */
export async function authenticated(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<Principal> {
  const p = await authenticate(ctx.db, req.headers.authorization, ctx.clock.now());
  if (ctx.rateLimiter) countRequest(ctx.rateLimiter, p.key, reply);
  return p;
}

async function authorize(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  t: { enterpriseId: number | null; orgId: number | null },
  need: Need,
  docs: string,
): Promise<void> {
  const d = decide(await authenticated(ctx, req, reply), t, need);
  reply.headers(d.headers);
  if (!d.ok) throw new ApiError("forbidden", d.message, { documentationUrl: docs });
}

/** The `:org` of the path (404 when unknown), once the token may do `need` there (401/403 otherwise). */
export async function orgFor(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  need: Need,
  docs: string,
) {
  const org = await findOrg(ctx.db, (req.params as { org: string }).org);
  await authorize(ctx, req, reply, { enterpriseId: org.enterprise_id, orgId: org.id }, need, docs);
  return org;
}

/** The `:enterprise` of the path (404 when unknown), once the token may do `need` there. */
export async function enterpriseFor(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  need: Need,
  docs: string,
) {
  const ent = await findEnterprise(ctx.db, (req.params as { enterprise: string }).enterprise);
  await authorize(ctx, req, reply, { enterpriseId: ent.id, orgId: null }, need, docs);
  return ent;
}

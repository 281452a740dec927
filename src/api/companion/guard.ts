import type { FastifyReply, FastifyRequest } from "fastify";
import { decide, type Need } from "../../http/access.js";
import { authenticate, type Principal } from "../../http/auth.js";
import type { AppContext } from "../../http/context.js";
import { ApiError } from "../../http/errors.js";
import { countRequest } from "../../http/rate-limit.js";
import { findEnterprise, findOrg } from "../../http/scopes.js";

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

function authorize(
  principal: Principal,
  reply: FastifyReply,
  t: { enterpriseId: number | null; orgId: number | null },
  need: Need,
  docs: string,
): void {
  const d = decide(principal, t, need);
  reply.headers(d.headers);
  if (!d.ok) throw new ApiError("forbidden", d.message, { documentationUrl: docs });
}

/**
 * The `:org` of the path, once the token may do `need` there. As on the metrics routes, authentication comes
 * first (401), then the name (404), then access (403): without a valid token nobody learns which names exist.
 */
export async function orgFor(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  need: Need,
  docs: string,
) {
  const principal = await authenticated(ctx, req, reply);
  const org = await findOrg(ctx.db, (req.params as { org: string }).org);
  authorize(principal, reply, { enterpriseId: org.enterprise_id, orgId: org.id }, need, docs);
  return org;
}

/** The `:enterprise` of the path, once the token may do `need` there: 401, then 404, then 403. */
export async function enterpriseFor(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  need: Need,
  docs: string,
) {
  const principal = await authenticated(ctx, req, reply);
  const ent = await findEnterprise(ctx.db, (req.params as { enterprise: string }).enterprise);
  authorize(principal, reply, { enterpriseId: ent.id, orgId: null }, need, docs);
  return ent;
}

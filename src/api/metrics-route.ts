import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { decideRead } from "../http/access.js";
import type { Answer } from "../http/answer-cache.js";
import { type AppContext, lagTolerantReader } from "../http/context.js";
import { acceptsGzip, GZIP_MIN_BYTES } from "../http/encoding.js";
import { ApiError, DOCS } from "../http/errors.js";
import { etagMatches } from "../http/github.js";
import { requestOrigin, requestUrl } from "../http/origin.js";
import { countRequest, rateHeaders } from "../http/rate-limit.js";
import { policyAllows } from "../http/scopes.js";
import { windowOf } from "../rollup/window.js";
import { handlerSchema, MetricsQuerySchema, pathParams } from "../schemas/route.js";
import { UtcDays } from "../util/time.js";
import { linkHeader, parseMetricsQuery } from "./query.js";

/** The answer for a range that cannot hold a day (since after until, or outside the window). */
const EMPTY_ANSWER: Answer = {
  body: Buffer.from("[]"),
  etag: `W/"${createHash("sha256").update("").digest("hex")}"`,
  pages: 1,
};

type Route = "enterprise" | "enterprise_team" | "org" | "team";

const ROUTES: { route: Route; path: string; docs: string; params: ReturnType<typeof pathParams> }[] = [
  {
    route: "enterprise",
    path: "/enterprises/:enterprise/copilot/metrics",
    docs: DOCS.enterpriseMetrics,
    params: pathParams("enterprise"),
  },
  {
    route: "enterprise_team",
    path: "/enterprises/:enterprise/team/:team_slug/copilot/metrics",
    docs: DOCS.enterpriseTeamMetrics,
    params: pathParams("enterprise", "team_slug"),
  },
  { route: "org", path: "/orgs/:org/copilot/metrics", docs: DOCS.orgMetrics, params: pathParams("org") },
  {
    route: "team",
    path: "/orgs/:org/team/:team_slug/copilot/metrics",
    docs: DOCS.teamMetrics,
    params: pathParams("org", "team_slug"),
  },
];

/**
 * The four metrics routes: auth → scope (404) → access (403) → policy (422) → query (422) → window → page →
 * the stored day bodies joined into one array, never re-serialized.
 */
export function registerMetricsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const today = new ServingDay();
  for (const r of ROUTES) {
    // Path names are checked when the scope is resolved (404), the query after access and policy (422).
    const schema = handlerSchema({ params: r.params, querystring: MetricsQuerySchema });
    app.get(r.path, { config: { docs: r.docs }, ...schema }, (req, reply) =>
      serveMetrics(ctx, today, r.route, r.docs, req, reply),
    );
  }
}

/**
 * Today and its window as these routes last computed them: the same for every request of a day. Held by one
 * registration of the routes, so two apps in one process (with different clocks) never share it.
 */
class ServingDay {
  private readonly days = new UtcDays();
  private last: { key: string; window: ReturnType<typeof windowOf> } | null = null;

  /** `windowOf` the day of `now`, remembered for that day. */
  window(now: Date, windowDays: number): ReturnType<typeof windowOf> {
    const key = `${this.days.of(now)}|${windowDays}`;
    if (this.last?.key !== key) this.last = { key, window: windowOf(this.days.of(now), windowDays) };
    return this.last.window;
  }
}

async function serveMetrics(
  ctx: AppContext,
  today: ServingDay,
  route: Route,
  docs: string,
  req: FastifyRequest,
  reply: FastifyReply,
) {
  const now = ctx.clock.now();
  const generation = await ctx.answers.generation(ctx.db);
  const principal = await ctx.answers.principal(ctx.db, generation, req.headers.authorization, now);
  const limited = ctx.rateLimiter ? countRequest(ctx.rateLimiter, principal.key, reply) : null;
  const scope = await ctx.answers.scope(ctx.db, generation, route, req.params as Record<string, string>);
  const decision = decideRead(principal, { route, enterpriseId: scope.enterpriseId, orgId: scope.orgId });
  reply.headers(decision.headers);
  if (!decision.ok) throw new ApiError("forbidden", decision.message, { documentationUrl: docs });
  if (!policyAllows(route, scope))
    throw new ApiError("policy_disabled", undefined, { documentationUrl: docs });

  const window = today.window(now, ctx.windowDays);
  const q = parseMetricsQuery(req.query as Record<string, string>, { ...window, days: ctx.windowDays }, docs);
  const answer =
    q.first <= q.last
      ? await ctx.answers.answer(
          await lagTolerantReader(ctx, generation),
          generation,
          scope.key,
          q.first,
          q.last,
          q.page,
          q.perPage,
        )
      : EMPTY_ANSWER;
  if (answer.pages > 1) {
    const url = requestUrl(req);
    const link = linkHeader(`${requestOrigin(req)}${url.pathname}`, url.searchParams, q.page, answer.pages);
    if (link) reply.header("link", link);
  }
  const etag = answer.etag;
  reply.header("etag", etag);
  reply.header("cache-control", "private, max-age=60, s-maxage=60");
  reply.header("vary", "Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding");
  if (etagMatches(req.headers["if-none-match"], etag)) {
    // A 304 does not count against the rate limit.
    if (limited) reply.headers(rateHeaders(limited.refund(principal.key)));
    return reply.code(304).send();
  }
  reply.type("application/json; charset=utf-8");
  if (answer.body.length >= GZIP_MIN_BYTES && acceptsGzip(req.headers["accept-encoding"])) {
    reply.header("content-encoding", "gzip");
    return reply.send(await ctx.answers.gzip(answer));
  }
  return reply.send(answer.body);
}

import type { FastifyInstance } from "fastify";
import { authenticate } from "../http/auth.js";
import type { AppContext } from "../http/context.js";
import { ApiError, DOCS } from "../http/errors.js";
import { windowOf } from "../rollup/process.js";
import { compile, pointerParts } from "../schemas/ajv.js";
import { handlerSchema, UsageQuery } from "../schemas/route.js";
import { utcDay } from "../util/time.js";
import type { UsageAnswer } from "./usage-shapes.js";
import { readUsage } from "./usage-store.js";

/**
 * `GET /telemetry/v1/usage?since=YYYY-MM-DD&until=YYYY-MM-DD`: tokens, cost and lines per user, day, tool and
 * model, as the tools reported them over OpenTelemetry (GitHub's shapes have no field for them). An enterprise
 * owner reads the rows of the people of their enterprises (a grant in the enterprise, one of its organizations or
 * their teams, at any time), an organization owner those of the organizations' people, anyone else their own; ingest and installation tokens read nothing. The days default to the served window, today included.
 */
const checkUsage = compile(UsageQuery);

export function registerUsageRoute(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    "/telemetry/v1/usage",
    { config: { docs: DOCS.otlp }, ...handlerSchema({ querystring: UsageQuery }) },
    async (req, reply) => {
      const now = ctx.clock.now();
      const p = await authenticate(ctx.db, req.headers.authorization, now);
      if (p.userId === null)
        throw new ApiError(
          "forbidden",
          "This token belongs to no user, so it may not read usage; use a developer's or an owner's token.",
        );
      const q = req.query as Record<string, string | undefined>;
      if (!checkUsage(q)) {
        const name = pointerParts(checkUsage.errors?.[0]?.instancePath ?? "/since")[0]!;
        throw new ApiError(
          "validation_failed",
          `"${name}" must be a day such as 2026-11-22, got ${JSON.stringify(q[name]).slice(0, 40)}`,
        );
      }
      const today = utcDay(now);
      const since = q.since ?? windowOf(today, ctx.windowDays).first;
      const until = q.until ?? today;
      const userIds = await readableUsers(ctx, p.userId, [...p.entOwner], [...p.orgOwner]);
      const usage = await readUsage(ctx.db, { since, until, userIds });
      reply.type("application/json; charset=utf-8");
      const answer: UsageAnswer = { since, until, usage };
      return answer;
    },
  );
}

/**
 * The users whose usage rows the caller may read: their own, plus the people of the organizations they own and of
 * the enterprises they own (the enterprise itself, its organizations, and the teams of both). A grant at any time
 * counts, so the rows of someone who left stay readable for the days they were there.
 */
async function readableUsers(
  ctx: AppContext,
  self: number,
  entIds: readonly number[],
  orgIds: readonly number[],
): Promise<number[]> {
  if (entIds.length === 0 && orgIds.length === 0) return [self];
  const rows = await ctx.db.query<{ user_id: number }>(
    `WITH orgs AS (
       SELECT id FROM organizations WHERE id = ANY($2::int[]) OR enterprise_id = ANY($1::int[])
     ), scopes AS (
       SELECT 'org'::text AS kind, id FROM orgs
       UNION ALL SELECT 'ent', unnest($1::int[])
       UNION ALL SELECT 'team', t.id FROM teams t WHERE t.org_id IN (SELECT id FROM orgs)
       UNION ALL SELECT 'eteam', t.id FROM teams t WHERE t.enterprise_id = ANY($1::int[])
     )
     SELECT DISTINCT g.user_id FROM grants g JOIN scopes s ON g.scope_kind = s.kind AND g.scope_id = s.id`,
    [entIds, orgIds],
  );
  return [...new Set([self, ...rows.map((r) => r.user_id)])];
}

import type { FastifyInstance } from "fastify";
import { authenticate } from "../http/auth.js";
import type { AppContext } from "../http/context.js";
import { ApiError, DOCS } from "../http/errors.js";
import { windowOf } from "../rollup/process.js";
import { compile, pointerParts } from "../schemas/ajv.js";
import { handlerSchema, UsageQuery } from "../schemas/route.js";
import { utcDay } from "../util/time.js";
import { readUsage } from "./usage-store.js";

/**
 * `GET /telemetry/v1/usage?since=YYYY-MM-DD&until=YYYY-MM-DD`: tokens, cost and lines per user, day, tool and
 * model, as the tools reported them over OpenTelemetry (GitHub's shapes have no field for them). An enterprise
 * owner reads every user's rows, an organization owner those of the organizations' members, anyone else their
 * own; ingest and installation tokens read nothing. The days default to the served window, today included.
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
      let userIds: number[] | null = null;
      if (p.entOwner.size === 0) {
        userIds = [p.userId];
        if (p.orgOwner.size > 0) {
          const rows = await ctx.db.query<{ user_id: number }>(
            `SELECT DISTINCT user_id FROM grants WHERE scope_kind = 'org' AND scope_id = ANY($1::int[])
           AND role IN ('member', 'owner', 'seat')`,
            [[...p.orgOwner]],
          );
          userIds = [...new Set([p.userId, ...rows.map((r) => r.user_id)])];
        }
      }
      const usage = await readUsage(ctx.db, { since, until, userIds });
      reply.type("application/json; charset=utf-8");
      return { since, until, usage };
    },
  );
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../http/context.js";
import { ApiError, DOCS } from "../http/errors.js";
import { requestOrigin } from "../http/origin.js";
import { countRequest } from "../http/rate-limit.js";
import { policyAllows, type ResolvedScope } from "../http/scopes.js";
import { DEFAULT_RETENTION_DAYS } from "../rollup/process.js";
import { compile } from "../schemas/ajv.js";
import { handlerSchema, pathParams, ReportDayQuery } from "../schemas/route.js";
import { addDays, utcDay } from "../util/time.js";
import { decideReport } from "./access.js";
import { availableDays, describeDays } from "./availability.js";
import { type FileIdentity, linkSecret, signLink } from "./links.js";
import { PlanCache } from "./plan.js";

type Report =
  | "scope-1-day"
  | "scope-28-day"
  | "users-1-day"
  | "users-28-day"
  | "user-teams-1-day"
  | "repos-1-day";

const DOC = {
  org: `${DOCS.usageMetrics}#get-copilot-organization-usage-metrics`,
  ent: `${DOCS.usageMetrics}#get-copilot-enterprise-usage-metrics`,
};

/** The twelve report routes of usage-metrics-reports.md. */
const ROUTES: { level: "org" | "ent"; path: string; report: Report }[] = [
  { level: "org", path: "/orgs/:org/copilot/metrics/reports/organization-1-day", report: "scope-1-day" },
  {
    level: "org",
    path: "/orgs/:org/copilot/metrics/reports/organization-28-day/latest",
    report: "scope-28-day",
  },
  { level: "org", path: "/orgs/:org/copilot/metrics/reports/users-1-day", report: "users-1-day" },
  { level: "org", path: "/orgs/:org/copilot/metrics/reports/users-28-day/latest", report: "users-28-day" },
  { level: "org", path: "/orgs/:org/copilot/metrics/reports/user-teams-1-day", report: "user-teams-1-day" },
  { level: "org", path: "/orgs/:org/copilot/metrics/reports/repos-1-day", report: "repos-1-day" },
  {
    level: "ent",
    path: "/enterprises/:enterprise/copilot/metrics/reports/enterprise-1-day",
    report: "scope-1-day",
  },
  {
    level: "ent",
    path: "/enterprises/:enterprise/copilot/metrics/reports/enterprise-28-day/latest",
    report: "scope-28-day",
  },
  {
    level: "ent",
    path: "/enterprises/:enterprise/copilot/metrics/reports/users-1-day",
    report: "users-1-day",
  },
  {
    level: "ent",
    path: "/enterprises/:enterprise/copilot/metrics/reports/users-28-day/latest",
    report: "users-28-day",
  },
  {
    level: "ent",
    path: "/enterprises/:enterprise/copilot/metrics/reports/user-teams-1-day",
    report: "user-teams-1-day",
  },
  {
    level: "ent",
    path: "/enterprises/:enterprise/copilot/metrics/reports/repos-1-day",
    report: "repos-1-day",
  },
];

/** Report settings with their defaults. */
export function reportSettings(ctx: AppContext): {
  linkTtlMs: number;
  fileRecords: number;
  retentionDays: number;
} {
  return ctx.reports ?? { linkTtlMs: 3_600_000, fileRecords: 50_000, retentionDays: DEFAULT_RETENTION_DAYS };
}

const plans = new WeakMap<AppContext, PlanCache>();
const daysCache = new WeakMap<AppContext, { key: string; days: string[] }>();

/**
 * Registers the report routes: auth → scope (404) → access (403) → policy (403) → day (422/404) → signed links.
 */
export function registerReportRoutes(app: FastifyInstance, ctx: AppContext): void {
  for (const r of ROUTES) {
    const schema = handlerSchema({
      params: pathParams(r.level === "org" ? "org" : "enterprise"),
      ...(r.report.endsWith("1-day") ? { querystring: ReportDayQuery } : {}),
    });
    app.get(r.path, { config: { docs: DOC[r.level] }, ...schema }, (req, reply) =>
      serveReport(ctx, r.level, r.report, req, reply),
    );
  }
}

async function serveReport(
  ctx: AppContext,
  level: "org" | "ent",
  report: Report,
  req: FastifyRequest,
  reply: FastifyReply,
) {
  const docs = DOC[level];
  const settings = reportSettings(ctx);
  const now = ctx.clock.now();
  const generation = await ctx.answers.generation(ctx.db);
  const principal = await ctx.answers.principal(ctx.db, generation, req.headers.authorization, now);
  if (ctx.rateLimiter) countRequest(ctx.rateLimiter, principal.key, reply);
  const route = level === "org" ? "org" : "enterprise";
  const scope: ResolvedScope = await ctx.answers.scope(
    ctx.db,
    generation,
    route,
    req.params as Record<string, string>,
  );
  const decision = decideReport(principal, level, { enterpriseId: scope.enterpriseId, orgId: scope.orgId });
  reply.headers(decision.headers);
  if (!decision.ok) throw new ApiError("forbidden", decision.message, { documentationUrl: docs });
  if (!policyAllows(route, scope))
    throw new ApiError("reports_policy_disabled", undefined, { documentationUrl: docs });

  const today = utcDay(now);
  const days = await processedDays(ctx, generation, today, settings.retentionDays);
  const oneDay = !report.endsWith("28-day");
  let first: string;
  let last: string;
  if (oneDay) {
    const day = dayParam(req.query as Record<string, unknown>, docs);
    if (!days.includes(day))
      throw new ApiError(
        "not_found",
        `No report for ${day}: reports exist for processed days before today (${today}) within the last ${settings.retentionDays} days. Available days: ${describeDays(days)}.`,
        { documentationUrl: docs },
      );
    first = last = day;
  } else {
    if (days.length === 0)
      throw new ApiError("not_found", "No report yet: no day has been processed. Available days: none yet.", {
        documentationUrl: docs,
      });
    last = days[days.length - 1]!;
    first = addDays(last, -27);
  }
  // pilotlog has no pull-request lifecycle data: the repository report is always empty.
  if (report === "repos-1-day") return reply.code(204).send();

  let cache = plans.get(ctx);
  if (!cache) {
    cache = new PlanCache();
    plans.set(ctx, cache);
  }
  const { files, rows } = await cache.plan(
    ctx.db,
    generation,
    { kind: report, scope: scope.key, first, last },
    settings.fileRecords,
  );
  if (rows === 0 && (report === "users-1-day" || report === "user-teams-1-day"))
    return reply.code(204).send();
  const secret = await linkSecret(ctx.db);
  const expires = Math.floor((now.getTime() + settings.linkTtlMs) / 1000);
  const origin = requestOrigin(req);
  const links = files.map((f: FileIdentity) => signLink(origin, secret, f, expires));
  reply.header("cache-control", "private, max-age=60, s-maxage=60");
  reply.type("application/json; charset=utf-8");
  return oneDay
    ? { download_links: links, report_day: first }
    : { download_links: links, report_start_day: first, report_end_day: last };
}

const checkDay = compile(ReportDayQuery);

/** The `day` query parameter (ReportDayQuery): required, one value, `YYYY-MM-DD`; a 422 naming it otherwise. */
function dayParam(q: Record<string, unknown>, docs: string): string {
  const v = q.day;
  if (v === undefined || v === "")
    throw new ApiError("validation_failed", undefined, {
      documentationUrl: docs,
      errors: [
        {
          resource: "CopilotUsageMetrics",
          field: "day",
          code: "missing_field",
          message: "day is required: the day of the report, YYYY-MM-DD",
        },
      ],
    });
  if (!checkDay(q))
    throw new ApiError("validation_failed", undefined, {
      documentationUrl: docs,
      errors: [
        {
          resource: "CopilotUsageMetrics",
          field: "day",
          code: "invalid",
          message: `day must be a date written YYYY-MM-DD such as 2026-11-19, got ${JSON.stringify(String(v)).slice(0, 40)}`,
        },
      ],
    });
  return v as string;
}

async function processedDays(ctx: AppContext, generation: string, today: string, retention: number) {
  const key = `${generation}|${today}|${retention}`;
  const hit = daysCache.get(ctx);
  if (hit?.key === key) return hit.days;
  const days = await availableDays(ctx.db, today, retention);
  daysCache.set(ctx, { key, days });
  return days;
}

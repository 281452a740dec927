import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { PgliteDb } from "../db/pglite.js";
import { isDatabaseUnavailable } from "../db/unavailable.js";
import type { AppContext } from "../http/context.js";
import { ApiError, ERROR_CODE_HEADER } from "../http/errors.js";
import { authorized } from "../http/local-guard.js";
import { storeSummary } from "./backup.js";
import { Readiness } from "./health.js";
import { ServiceMetrics } from "./metrics.js";
import { pendingDays } from "./pending.js";

/** The operator's routes: unauthenticated probes and the Prometheus scrape. */
export const OPS_PATHS = ["/healthz", "/readyz", "/metrics"] as const;

/** Whether `url` is one of OPS_PATHS (with or without a query): exempt from the lockout and the shutdown 503. */
export function isOpsPath(url: string): boolean {
  const path = url.split("?", 1)[0];
  return (OPS_PATHS as readonly (string | undefined)[]).includes(path);
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Whether the Authorization header carries `token` (compared in constant time). */
function showsToken(header: string | undefined, token: string): boolean {
  const m = /^\s*(?:bearer|token)\s+(\S+)\s*$/i.exec(header ?? "");
  return m !== null && timingSafeEqual(digest(m[1]!), digest(token));
}

/**
 * `GET /healthz` (the process answers), `GET /readyz` (ready for traffic, see `Readiness`) and `GET /metrics`
 * (Prometheus text format; behind `ctx.metricsToken` when set), plus the hooks that count every request by its
 * route pattern. The probes reveal nothing but the status: no version, no error text. Creates `ctx.metrics` when
 * the caller did not.
 */
export function registerOpsRoutes(app: FastifyInstance, ctx: AppContext): ServiceMetrics {
  const metrics =
    ctx.metrics ??
    new ServiceMetrics({
      db: ctx.db,
      cache: ctx.answers.stats,
      pending: () => pendingDays(ctx.db, ctx.clock, ctx.windowDays),
      ...(ctx.replica ? { replica: ctx.replica.stats } : {}),
    });
  ctx.metrics = metrics;
  const readiness = new Readiness(ctx.db, () => app.inflight.closing);

  // Callback style: it runs for every request, and an async hook costs a promise and a microtask turn.
  app.addHook("onResponse", (req, reply, done) => {
    // The pattern, never the raw URL: label values must stay few whatever clients ask for.
    metrics.request(
      req.routeOptions.url ?? "unmatched",
      req.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
  app.addHook("onError", async (_req, _reply, err) => {
    if (err instanceof ApiError) return;
    metrics.databaseError(isDatabaseUnavailable(err) ? "unavailable" : "other");
  });

  const plain = { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" };
  app.get("/healthz", async (_req, reply) => reply.code(200).headers(plain).send("ok\n"));
  app.get("/readyz", async (_req, reply) => {
    if (await readiness.ready()) return reply.code(200).headers(plain).send("ready\n");
    // Probes read the status; the catalogue's entry gives the code and the one-line text.
    const e = new ApiError("not_ready");
    return reply.code(e.status).headers(plain).header(ERROR_CODE_HEADER, e.code).send(e.message);
  });
  app.get("/metrics", async (req, reply) => {
    if (ctx.metricsToken !== undefined && !showsToken(req.headers.authorization, ctx.metricsToken)) {
      throw new ApiError(
        req.headers.authorization === undefined ? "requires_authentication" : "bad_credentials",
        undefined,
        { headers: { "www-authenticate": 'Bearer realm="pilotlog metrics"' } },
      );
    }
    const { text, contentType } = await metrics.scrape();
    return reply.code(200).header("content-type", contentType).header("cache-control", "no-store").send(text);
  });
  // `pilotlog backup` while this server holds the PGlite folder: the dump, taken between two database jobs.
  app.post("/_pilotlog/admin/backup", async (req, reply) => {
    if (!authorized(ctx, req) || !(ctx.db instanceof PgliteDb)) throw new ApiError("not_found");
    const summary = await storeSummary(ctx.db);
    const dump = await ctx.db.dump();
    return reply
      .code(200)
      .type("application/gzip")
      .header("x-pilotlog-store", JSON.stringify(summary))
      .send(dump);
  });
  return metrics;
}

import type { FastifyInstance } from "fastify";
import type { Config } from "../config/config.js";
import { type OpenedDb, openDatabase } from "../db/open.js";
import { PostgresDb } from "../db/postgres.js";
import { ReplicaRouter } from "../db/replica.js";
import { isDatabaseUnavailable } from "../db/unavailable.js";
import { Scheduler } from "../rollup/scheduler.js";
import type { Clock } from "../util/clock.js";
import { AnswerCache } from "./answer-cache.js";
import { buildApp } from "./app.js";
import { AuthThrottle } from "./auth-throttle.js";
import type { AppContext } from "./context.js";
import { LIMITS } from "./limits.js";
import { listenError, probeListen } from "./listen.js";
import { serverLogOptions } from "./log.js";
import { RateLimiter } from "./rate-limit.js";

/**
 * How long shutdown waits for requests in flight before closing their connections (RELIABILITY.md): `SIGTERM`
 * exits within this, plus the rest of a day being processed at that moment, if any.
 */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  opened: OpenedDb;
  scheduler: Scheduler;
  close(): Promise<void>;
}

/**
 * Opens the database (migrating it), starts the HTTP server and the processing scheduler, and advertises the
 * URL in the PGlite lock file so CLI commands send their work here.
 */
export async function startServer(
  config: Config,
  clock: Clock,
  opts: {
    logger?: boolean | object;
    /** false: the caller starts `scheduler` itself (the demo does, once its world is seeded). */
    startScheduler?: boolean;
    sandbox?: AppContext["sandbox"];
    command?: string;
  } = {},
): Promise<RunningServer> {
  // A bad --host or --port is reported before the database is opened (or, for PGlite, created).
  await probeListen(config.host, config.port);
  const opened = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    command: opts.command ?? "serve",
  });
  // Reads that may lag go to the replica once it has caught up (db/replica.ts); everything else to the primary.
  const replica = config.databaseReplicaUrl
    ? new ReplicaRouter(
        opened.db,
        await PostgresDb.open(config.databaseReplicaUrl).catch(async (err: unknown) => {
          await opened.close();
          throw err;
        }),
      )
    : null;
  const ctx: AppContext = {
    db: opened.db,
    ...(replica ? { replica } : {}),
    clock,
    windowDays: config.windowDays,
    answers: new AnswerCache(),
    reports: {
      linkTtlMs: config.reportLinkTtlMs,
      fileRecords: config.reportFileRecords,
      retentionDays: config.retentionDays,
    },
    ...(config.rateLimit > 0 ? { rateLimiter: new RateLimiter(config.rateLimit, clock) } : {}),
    authThrottle: new AuthThrottle(clock),
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    ...(opts.sandbox ? { sandbox: opts.sandbox } : {}),
  };
  const app = buildApp(ctx, { logger: opts.logger ?? serverLogOptions(config.logLevel) });
  const scheduler = new Scheduler(
    opened.db,
    clock,
    {
      windowDays: config.windowDays,
      processAtMinutes: config.processAtMinutes,
      reprocessEveryMs: config.reprocessEveryMs,
      onDay: (r) => ctx.metrics?.processed(r, "scheduler"),
      onFailure: (err) => {
        ctx.metrics?.processingFailed("scheduler");
        ctx.metrics?.databaseError(isDatabaseUnavailable(err) ? "unavailable" : "other");
      },
      retentionDays: config.retentionDays,
    },
    app.log,
  );
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await opened.close();
    throw listenError(err, config.host, config.port);
  }
  app.server.maxConnections = LIMITS.connections;
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
  if (opened.lock) ctx.adminToken = opened.lock.advertise(url);
  if (opts.startScheduler !== false) scheduler.start();
  let closing: Promise<void> | null = null;
  return {
    url,
    app,
    opened,
    scheduler,
    close: () => {
      closing ??= (async () => {
        // Stop accepting; answer requests in flight; after the grace period, cut what is left.
        app.inflight.closing = true;
        const cut = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        cut.unref();
        const processing = scheduler.stop();
        await app.close();
        clearTimeout(cut);
        // Handlers whose clients left may still be querying; a running day's processing commits or rolls back.
        await app.inflight.idle(SHUTDOWN_GRACE_MS);
        await processing;
        await replica?.close();
        await opened.close();
      })();
      return closing;
    },
  };
}

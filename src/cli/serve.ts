import type { Command } from "commander";
import { startServer } from "../http/server.js";
import { SyncScheduler, syncLine } from "../sync/scheduler.js";
import { databaseTarget } from "../sync/target.js";
import { OffsetClock } from "../util/clock.js";
import { utcDay } from "../util/time.js";
import { commonOptions, configFrom, fail } from "./shared.js";
import { type SyncSettings, syncEvery, syncOnce, syncOptions, syncSettings } from "./sync.js";

export function serveCommand(program: Command): void {
  syncOptions(commonOptions(program.command("serve", { isDefault: true })))
    .description("start the API server and the daily processing scheduler")
    .option("--port <port>", "port to listen on (env PORT, default 8080; 0 picks a free one)")
    .option("--host <host>", "address to listen on (env PILOTLOG_HOST, default 127.0.0.1)")
    .option(
      "--process-at <HH:MM>",
      "UTC time each day when yesterday is processed (env PILOTLOG_PROCESS_AT, default 00:05)",
    )
    .option(
      "--reprocess-every <duration>",
      "how often changed closed days are reprocessed (env PILOTLOG_REPROCESS_EVERY, default 15m)",
    )
    .option(
      "--rate-limit <n>",
      "requests per token per hour on the GitHub routes, 0 for none (env PILOTLOG_RATE_LIMIT, default 5000)",
    )
    .option(
      "--metrics-token <token>",
      "bearer token GET /metrics requires (env PILOTLOG_METRICS_TOKEN; default: /metrics is open)",
    )
    .option(
      "--retention-days <n>",
      "days of usage-metrics reports kept, at least --window-days (env PILOTLOG_RETENTION_DAYS, default 365)",
    )
    .option(
      "--report-link-ttl <duration>",
      "how long report download links stay valid (env PILOTLOG_REPORT_LINK_TTL, default 1h)",
    )
    .option(
      "--report-file-records <n>",
      "records per report file; larger reports are split (env PILOTLOG_REPORT_FILE_RECORDS, default 50000)",
    )
    .option(
      "--sync-every <duration>",
      "run `sync` on this schedule inside the server (with --api, --org/--enterprise, a token), e.g. 24h",
    )
    .option("--sandbox", "enable POST /_pilotlog/clock and POST /_pilotlog/reset for test runs")
    .option("--log-level <level>", "fatal|error|warn|info|debug|trace|silent (env LOG_LEVEL, default info)")
    .action(async (flags: Record<string, string>) => {
      try {
        const config = configFrom(flags);
        const every = syncEvery(flags);
        // Settings are checked before the server starts, so a missing token is reported at once.
        const sync: SyncSettings | null = every === null ? null : await syncSettings(flags);
        const clock = new OffsetClock(config.now ?? new Date());
        const server = await startServer(config, clock, {
          ...(flags.sandbox ? { sandbox: { setNow: (now: Date) => clock.set(now) } } : {}),
        });
        const where = server.opened.where;
        process.stdout.write(
          `pilotlog is serving ${server.url} (data: ${where}; today is ${utcDay(clock.now())} UTC, window ${config.windowDays} days)\n` +
            `  metrics:   curl -H "Authorization: Bearer <token>" ${server.url}/orgs/<org>/copilot/metrics\n` +
            `  telemetry: POST ${server.url}/telemetry/v1/events\n` +
            "  directory: npx pilotlog apply <file>   (see examples/directory.yaml)\n",
        );
        let syncing: SyncScheduler | null = null;
        if (sync && every !== null) {
          const log = server.app.log;
          syncing = new SyncScheduler(clock, {
            everyMs: every,
            run: () =>
              syncOnce(sync, databaseTarget(server.opened.db, clock, config.windowDays), clock, (line) =>
                log.debug({ sync: line }, "sync"),
              ),
            onDone: async (s) => {
              log.info(syncLine(s));
              // What the run changed is processed now rather than at the next reprocessing period.
              if (s.daysChanged.length > 0) await server.scheduler.tick();
            },
            onFailure: (err) =>
              log.warn(`sync failed: ${(err as Error).message}; trying again in ${flags.syncEvery}`),
          });
          syncing.start();
          process.stdout.write(
            `  sync:      every ${flags.syncEvery} from ${sync.api} (${sync.scopes.join(", ")})\n`,
          );
        }
        let stopping = false;
        const shutdown = (signal: string) => {
          if (stopping) {
            // A second signal: the operator will not wait. The database recovers what was committed.
            process.stderr.write(`${signal} again: exiting without waiting for requests in flight\n`);
            process.exit(1);
          }
          stopping = true;
          const started = Date.now();
          server.app.log.info({ signal }, "shutting down: no new connections, finishing requests in flight");
          (syncing?.stop() ?? Promise.resolve())
            .then(() => server.close())
            .then(
              () => {
                process.stdout.write(
                  `pilotlog stopped (${signal}) in ${Date.now() - started} ms; data is closed cleanly.\n`,
                );
                process.exit(0);
              },
              (err: unknown) => {
                process.stderr.write(`pilotlog could not close cleanly: ${(err as Error).message}\n`);
                process.exit(1);
              },
            );
        };
        process.on("SIGINT", () => shutdown("SIGINT"));
        process.on("SIGTERM", () => shutdown("SIGTERM"));
      } catch (err) {
        fail(err);
      }
    });
}

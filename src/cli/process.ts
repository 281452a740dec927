import type { Command } from "commander";
import type { DayResult } from "../rollup/process.js";
import { checkDay, checkDayFormat, ProcessRequestError, runProcessing } from "../rollup/run.js";
import { clockFrom, commonOptions, configFrom, fail, onServerOrDatabase } from "./shared.js";

function line(r: DayResult): string {
  return `  ${r.day}: ${r.activeUsers} active users, ${r.documents} documents (${r.belowThreshold} scopes under the 5-seat threshold), ${r.ms} ms`;
}

export function processCommand(program: Command): void {
  commonOptions(program.command("process"))
    .option("--day <YYYY-MM-DD>", "process this closed day only")
    .description("compute the metrics of closed days: those never processed and those changed since")
    .action(async (flags: Record<string, string>) => {
      try {
        const config = configFrom(flags);
        const now = clockFrom(config).now();
        if (flags.day !== undefined) checkDayFormat(flags.day);
        let live = false;
        const { value: results, where } = await onServerOrDatabase(
          config,
          "process",
          "/_pilotlog/admin/process",
          flags.day ? { day: flags.day } : {},
          async (db) => {
            live = true;
            const days = await runProcessing(db, now, {
              windowDays: config.windowDays,
              retentionDays: config.retentionDays,
              ...(flags.day ? { day: flags.day } : {}),
              onDay: (r, i, total) => {
                if (r.activeUsers > 0) process.stdout.write(`${line(r)} [${i + 1}/${total}]\n`);
              },
            });
            return { days };
          },
          // Run here, the day is judged by this command's clock; a server judges it by its own.
          () => {
            if (flags.day !== undefined) checkDay(flags.day, now, config.windowDays);
          },
        );
        // The server cannot stream its progress: its days are listed once it is done.
        if (!live) for (const r of results.days) if (r.activeUsers > 0) process.stdout.write(`${line(r)}\n`);
        process.stdout.write(`(on ${where})\n`);
        process.stdout.write(
          results.days.length === 0
            ? "Nothing to process: every closed day of the window is up to date.\n"
            : `Processed ${results.days.length} day(s) (${results.days.filter((r) => r.activeUsers === 0).length} without activity, left out of the answers). ` +
                "Read them at GET /orgs/{org}/copilot/metrics (see the README).\n",
        );
      } catch (err) {
        if (err instanceof ProcessRequestError) {
          process.stderr.write(`pilotlog: ${err.message}\n`);
          process.exitCode = 1;
          return;
        }
        fail(err);
      }
    });
}

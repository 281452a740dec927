import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { applyDirectoryText } from "../directory/apply.js";
import { DirectoryFileError } from "../directory/file.js";
import type { ApplyReport } from "../directory/store.js";
import { utcDay } from "../util/time.js";
import { clockFrom, commonOptions, configFrom, fail, onServerOrDatabase, ServerRefusal } from "./shared.js";

function summary(r: ApplyReport): string {
  const parts = [
    `enterprises ${r.enterprises.created} new, ${r.enterprises.updated} changed`,
    `organizations ${r.organizations.created} new, ${r.organizations.updated} changed`,
    `teams ${r.teams.created} new, ${r.teams.updated} changed, ${r.teams.removed} removed`,
    `users ${r.users.created} new, ${r.users.telemetryChanged} telemetry changes`,
    `memberships and seats ${r.grants.added} added, ${r.grants.removed} removed`,
    `custom models ${r.customModels.created} new, ${r.customModels.updated} changed`,
    `tokens ${r.tokens.created} new, ${r.tokens.updated} changed`,
  ];
  return parts.map((p) => `  ${p}`).join("\n");
}

export function applyCommand(program: Command): void {
  commonOptions(program.command("apply").argument("<file>", "directory file (YAML or JSON)"))
    .description(
      "load a directory file: enterprises, organizations, teams, users, seats, custom models, tokens",
    )
    .option(
      "--strict",
      "refuse the file when it has warnings (such as a team member outside its organization)",
    )
    .action(async (file: string, flags: Record<string, string>) => {
      const strict = Boolean(flags.strict);
      try {
        const config = configFrom(flags);
        let text: string;
        try {
          text = await readFile(file, "utf8");
        } catch (err) {
          process.stderr.write(`pilotlog: cannot read ${file}: ${(err as Error).message}\n`);
          process.exitCode = 1;
          return;
        }
        let report: ApplyReport;
        let where: string;
        try {
          ({ value: report, where } = await onServerOrDatabase(
            config,
            "apply",
            "/_pilotlog/admin/apply",
            { fileName: file, text, ...(strict ? { strict } : {}) },
            (db) => {
              const now = clockFrom(config).now();
              return applyDirectoryText(db, text, file, {
                today: utcDay(now),
                now,
                windowDays: config.windowDays,
                ...(strict ? { strict } : {}),
              });
            },
          ));
        } catch (err) {
          if (!(err instanceof ServerRefusal)) throw err;
          process.stderr.write(`pilotlog: ${err.message}\nNothing of ${file} was applied.\n`);
          process.exitCode = 1;
          return;
        }
        for (const w of report.warnings ?? [])
          process.stderr.write(`pilotlog: warning: ${w.file}: ${w.path}: ${w.reason}\n`);
        if (report.warnings?.length)
          process.stderr.write("(`apply --strict` refuses a file with warnings)\n");
        process.stdout.write(
          report.changed
            ? `Applied ${file} to ${where}:\n${summary(report)}\n`
            : `Applied ${file} to ${where}: nothing changed (the store already matches the file).\n`,
        );
        if (report.dirtyDays.length > 0) {
          process.stdout.write(
            `${report.dirtyDays.length} day(s) of the window change with it (${report.dirtyDays[0]} … ${report.dirtyDays.at(-1)}); ` +
              "they are reprocessed by the server's scheduler, or now with `npx pilotlog process`.\n",
          );
        }
        process.stdout.write(
          "Next: send events to POST /telemetry/v1/events, then `npx pilotlog process`.\n",
        );
      } catch (err) {
        if (err instanceof DirectoryFileError) {
          process.stderr.write(`pilotlog: ${err.message}\nNothing of ${file} was applied.\n`);
          process.exitCode = 1;
          return;
        }
        fail(err);
      }
    });
}

import type { Db } from "../db/db.js";
import { type DirectoryIssue, parseDirectoryFile } from "./file.js";
import { type ApplyReport, applyDirectory, knownNames } from "./store.js";

/**
 * Parses, validates and applies a directory file's text, all or nothing: a file with any problem throws
 * DirectoryFileError and nothing of it is stored. The report carries the file's warnings; with `strict` they are
 * problems too. `now` (the server's clock) stamps what the file creates.
 */
export async function applyDirectoryText(
  db: Db,
  text: string,
  fileName: string,
  opts: { today: string; windowDays: number; now?: Date; strict?: boolean },
): Promise<ApplyReport> {
  return db.transaction(async (tx) => {
    const warnings: DirectoryIssue[] = [];
    const file = parseDirectoryFile(text, fileName, await knownNames(tx), {
      warnings,
      ...(opts.strict ? { strict: true } : {}),
    });
    const report = await applyDirectory(tx, file, opts);
    report.warnings = warnings;
    return report;
  });
}

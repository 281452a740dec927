import type { Db } from "../db/db.js";
import { hashDirectoryText, lockAppliedState, recordAppliedText } from "./applied.js";
import { DirectoryFileError, type DirectoryIssue, parseDirectoryFile } from "./file.js";
import { type ApplyReport, applyDirectoryAfterLock, emptyReport, knownNames } from "./store.js";

/**
 * Parses, validates and applies a directory file's text, all or nothing: a file with any problem throws
 * DirectoryFileError and nothing of it is stored. The report carries the file's warnings; with `strict` they are
 * problems too. `now` (the server's clock) stamps what the file creates.
 *
 * The text last applied, when nothing has written to the directory since, is neither parsed nor compared again:
 * its result is known (nothing changes) and so are its warnings, which depend only on the text and on the
 * store's enterprises and organizations (unchanged, or the state would not be fresh).
 */
export async function applyDirectoryText(
  db: Db,
  text: string,
  fileName: string,
  opts: { today: string; windowDays: number; now?: Date; strict?: boolean },
): Promise<ApplyReport> {
  return db.transaction(async (tx) => {
    const state = await lockAppliedState(tx);
    const textHash = hashDirectoryText(text, fileName.toLowerCase().endsWith(".json"));
    if (state.fresh && state.textHash === textHash) {
      const warnings = state.warnings.map((w) => ({ file: fileName, ...w }));
      if (opts.strict && warnings.length > 0) throw new DirectoryFileError(warnings);
      return { ...emptyReport(), warnings };
    }
    const warnings: DirectoryIssue[] = [];
    const file = parseDirectoryFile(text, fileName, await knownNames(tx), {
      warnings,
      ...(opts.strict ? { strict: true } : {}),
    });
    const report = await applyDirectoryAfterLock(tx, file, opts, state);
    await recordAppliedText(tx, textHash, warnings);
    report.warnings = warnings;
    return report;
  });
}

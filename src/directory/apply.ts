import type { Db } from "../db/db.js";
import { parseDirectoryFile } from "./file.js";
import { type ApplyReport, applyDirectory, knownNames } from "./store.js";

/**
 * Parses, validates and applies a directory file's text, all or nothing: a file with any problem throws
 * DirectoryFileError and nothing of it is stored.
 */
export async function applyDirectoryText(
  db: Db,
  text: string,
  fileName: string,
  opts: { today: string; windowDays: number },
): Promise<ApplyReport> {
  return db.transaction(async (tx) => {
    const file = parseDirectoryFile(text, fileName, await knownNames(tx));
    return applyDirectory(tx, file, opts);
  });
}

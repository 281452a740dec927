import { parse as parseYaml, YAMLParseError } from "yaml";
import type { DirectoryFile } from "./model.js";
import { Checker } from "./validate.js";

/** One problem of a directory file: where it is and what to do about it. */
export interface DirectoryIssue {
  file: string;
  path: string;
  reason: string;
}

/** A directory file with problems; `issues` lists every one found. Nothing of such a file is applied. */
export class DirectoryFileError extends Error {
  constructor(readonly issues: DirectoryIssue[]) {
    super(issues.map((i) => `${i.file}: ${i.path}: ${i.reason}`).join("\n"));
  }
}

/**
 * Parses a directory file (YAML, or JSON when the name ends in `.json`) and validates it against
 * spec/directory-file.md. `known` holds the enterprise slugs and organization logins (lowercase) already in the
 * store, which the file may refer to. Throws DirectoryFileError listing every problem.
 */
export function parseDirectoryFile(
  text: string,
  fileName: string,
  known: { enterprises: ReadonlySet<string>; organizations: ReadonlySet<string> },
): DirectoryFile {
  let raw: unknown;
  try {
    raw = fileName.toLowerCase().endsWith(".json")
      ? text.trim() === ""
        ? null
        : JSON.parse(text)
      : parseYaml(text);
  } catch (err) {
    const where =
      err instanceof YAMLParseError && err.linePos
        ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}`
        : "";
    throw new DirectoryFileError([
      {
        file: fileName,
        path: "(root)",
        reason: `not valid ${fileName.endsWith(".json") ? "JSON" : "YAML"}${where}: ${(err as Error).message.split("\n")[0]}`,
      },
    ]);
  }
  const checker = new Checker(fileName, known);
  const file = checker.root(raw);
  if (checker.issues.length > 0) throw new DirectoryFileError(checker.issues);
  return file;
}

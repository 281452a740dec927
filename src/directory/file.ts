import { parse as parseYaml, YAMLParseError } from "yaml";
import type { DirectoryFile, DirectoryIssue } from "./model.js";
import { Checker } from "./validate.js";

export type { DirectoryIssue };

/** A directory file with problems; `issues` lists every one found. Nothing of such a file is applied. */
export class DirectoryFileError extends Error {
  /** Its entry of the error catalogue (src/http/errors.ts), which the admin apply route answers with. */
  readonly catalogueKind = "directory_file_invalid";
  constructor(readonly issues: DirectoryIssue[]) {
    super(issues.map((i) => `${i.file}: ${i.path}: ${i.reason}`).join("\n"));
  }
  /** The admin route's body lists every issue beside GitHub's fields. */
  get extraBody(): { issues: DirectoryIssue[] } {
    return { issues: this.issues };
  }
}

/** Line and column (1-based) of a position of `text`. */
function lineColumn(text: string, at: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < at; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return `line ${line}, column ${at - start + 1}`;
}

/**
 * The first key that appears twice in one object of a JSON text (which JSON.parse has accepted), or null.
 * JSON.parse keeps the last silently; YAML refuses such a file, and so do we. Iterative: any depth.
 */
function duplicateJsonKey(text: string): { key: string; at: number } | null {
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      while (text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      const keys = stack[stack.length - 1];
      if (keys && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (keys.has(key)) return { key, at: i };
        keys.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b) {
      stack.push(null);
      expectKey = false;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) expectKey = stack[stack.length - 1] != null;
  }
  return null;
}

/** The plain key written at `at` (where the yaml library saw it repeated), cut when long; null when quoted or odd. */
function duplicateYamlKey(text: string, at: number): string | null {
  const m = /^[^\s:#,[\]{}"']+/.exec(text.slice(at, at + 200));
  if (!m) return null;
  return m[0].length > 40 ? `${m[0].slice(0, 40)}…` : m[0];
}

/**
 * A `%YAML 1.1` file reads unquoted dates as Date objects: they become the text the schema takes (a day, or the
 * instant for `expires_at`). Invalid dates stay as they are and are refused as such.
 */
function yamlDates(key: unknown, value: unknown): unknown {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) return value;
  return key === "expires_at" ? value.toISOString() : value.toISOString().slice(0, 10);
}

/**
 * Parses a directory file (YAML, or JSON when the name ends in `.json`) and validates it against
 * spec/directory-file.md. `known` holds the enterprise slugs and organization logins (lowercase) already in the
 * store, which the file may refer to. Throws DirectoryFileError listing every problem. What is valid but likely a
 * mistake is added to `opts.warnings`, or, with `opts.strict`, refused as problems.
 */
export function parseDirectoryFile(
  text: string,
  fileName: string,
  known: { enterprises: ReadonlySet<string>; organizations: ReadonlySet<string> },
  opts: { strict?: boolean; warnings?: DirectoryIssue[] } = {},
): DirectoryFile {
  const isJson = fileName.toLowerCase().endsWith(".json");
  const refuse = (reason: string): never => {
    throw new DirectoryFileError([{ file: fileName, path: "(root)", reason }]);
  };
  // A byte order mark (some editors write one) is not part of the content.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // Text read from bytes that are not UTF-8 holds U+FFFD where they were: refuse it rather than store it in names.
  const replaced = body.indexOf("\ufffd");
  if (replaced !== -1) {
    refuse(
      `not valid UTF-8 at ${lineColumn(body, replaced)} (bytes that are not UTF-8 were read as U+FFFD, the replacement character): save the file as UTF-8`,
    );
  }
  let raw: unknown;
  try {
    // The yaml library refuses duplicate keys itself (uniqueKeys); JSON keeps the scanner below, because the yaml
    // library parses JSON about 60 times slower than JSON.parse (9.1 s against 0.16 s for a 100,000-user file).
    raw = isJson
      ? body.trim() === ""
        ? null
        : JSON.parse(body)
      : parseYaml(body, yamlDates, { uniqueKeys: true });
  } catch (err) {
    if (err instanceof YAMLParseError && err.code === "DUPLICATE_KEY" && err.linePos) {
      const { line, col } = err.linePos[0];
      const key = duplicateYamlKey(body, err.pos[0]);
      refuse(
        `duplicate key ${key === null ? "" : `${JSON.stringify(key)} `}at line ${line}, column ${col}: it appears twice in one mapping; merge the two (YAML allows each key once)`,
      );
    }
    const where =
      err instanceof YAMLParseError && err.linePos
        ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}`
        : "";
    const first = (err as Error).message.split("\n")[0]!;
    refuse(
      `not valid ${isJson ? "JSON" : "YAML"}${where}: ${first.length > 200 ? `${first.slice(0, 200)}…` : first}`,
    );
  }
  if (isJson) {
    const dup = duplicateJsonKey(body);
    if (dup) {
      const key = dup.key.length > 40 ? `${dup.key.slice(0, 40)}…` : dup.key;
      refuse(
        `the key ${JSON.stringify(key)} appears twice in one object at ${lineColumn(body, dup.at)}: merge the two (JSON would keep only the last)`,
      );
    }
  }
  const checker = new Checker(fileName, known);
  const file = checker.root(raw);
  if (checker.issues.length > 0) throw new DirectoryFileError(checker.issues);
  if (opts.strict && checker.warnings.length > 0) throw new DirectoryFileError(checker.warnings);
  opts.warnings?.push(...checker.warnings);
  return file;
}

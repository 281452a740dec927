import { createHash } from "node:crypto";
import type { Queryable } from "../db/db.js";
import type { DirectoryFile, DirectoryIssue } from "./model.js";

/**
 * What the last apply left (migration 016): an apply leaves the directory in a state that applying the same file
 * again does not change (apply is idempotent), so while nothing else has written since, a repeat of that file can
 * answer "nothing changed" without comparing. `fresh` is false when anyone else wrote to the directory after that
 * apply (or that apply's transaction wrote more after it): then the hashes say nothing.
 */
export interface AppliedState {
  fileHash: string | null;
  textHash: string | null;
  /** The warnings of the text of `textHash`, without the file name (that is the caller's). */
  warnings: { path: string; reason: string }[];
  fresh: boolean;
  /** The writers' transactions seen when this apply started; its own apply removes them. */
  seen: string[];
}

/**
 * Locks the apply state (applies then run one at a time: one diffing against a store another is changing could
 * record a hash for a state it did not see) and reads it. Call before reading anything an apply compares: every
 * writer that committed before this read is then visible to the apply's later statements.
 */
export async function lockAppliedState(tx: Queryable): Promise<AppliedState> {
  const [row] = await tx.query<{
    file_hash: string | null;
    text_hash: string | null;
    warnings: { path: string; reason: string }[];
  }>("SELECT file_hash, text_hash, warnings FROM directory_applied FOR UPDATE");
  const writes = await tx.query<{ xact: string }>("SELECT xact::text AS xact FROM directory_writes");
  return {
    fileHash: row?.file_hash ?? null,
    textHash: row?.text_hash ?? null,
    warnings: row?.warnings ?? [],
    fresh: writes.length === 0,
    seen: writes.map((w) => w.xact),
  };
}

/**
 * Records that the directory now is what applying the file of `fileHash` leaves: forgets the writes seen at the
 * start (`state.seen`, all visible to this apply's reads) and this transaction's own. Writes committed by others
 * since the start stay, so the next apply compares. The text hash is cleared (see `recordAppliedText`).
 */
export async function recordApplied(tx: Queryable, state: AppliedState, fileHash: string): Promise<void> {
  await tx.query(
    `DELETE FROM directory_writes
     WHERE xact = ANY($1::bigint[]) OR xact = (pg_current_xact_id_if_assigned()::text)::bigint`,
    [state.seen],
  );
  await tx.query("UPDATE directory_applied SET file_hash = $1, text_hash = NULL, warnings = '[]'", [
    fileHash,
  ]);
}

/** Adds to the state `recordApplied` left the text that file came from, with the text's warnings. */
export async function recordAppliedText(
  tx: Queryable,
  textHash: string,
  warnings: readonly DirectoryIssue[],
): Promise<void> {
  await tx.query("UPDATE directory_applied SET text_hash = $1, warnings = $2::jsonb", [
    textHash,
    JSON.stringify(warnings.map((w) => ({ path: w.path, reason: w.reason }))),
  ]);
}

/** The hash of a validated directory (the model is built in a fixed key order, so equal files hash equal). */
export function hashDirectory(file: DirectoryFile): string {
  return createHash("sha256").update(JSON.stringify(file)).digest("hex");
}

/** The hash of a directory file's text as given to `apply`, with how it is read (JSON or YAML). */
export function hashDirectoryText(text: string, json: boolean): string {
  return createHash("sha256")
    .update(json ? "json\n" : "yaml\n")
    .update(text)
    .digest("hex");
}

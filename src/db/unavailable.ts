/**
 * Database failures that are nobody's bad input: the database cannot be reached (server down or restarting,
 * connection lost or terminated, pool or embedded database closed during shutdown), it ran out of a resource
 * (disk, memory, connections), an operator cancelled the statement, or the transaction lost a deadlock or
 * serialization conflict more often than it is retried. They are the operator's to fix and the client's to
 * retry: the API answers 503 with Retry-After, never 500, and never acknowledges what was not committed.
 */
export type DatabaseFault = "unavailable" | "resources" | "busy";

const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
]);

/** SQLSTATEs after which PostgreSQL has rolled the transaction back and running it again may well succeed. */
export const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set(["40001", "40P01"]);

/** Which kind of database fault `err` is, or null for anything else (a bad statement is a bug: 500). */
export function databaseFault(err: unknown): DatabaseFault | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") {
    if (SOCKET_CODES.has(code)) return "unavailable";
    // Class 08: connection exception; 57P01–57P05: shutdown, crash recovery, cannot connect now, idle timeout.
    if (code.startsWith("08") || /^57P0[1-5]$/.test(code)) return "unavailable";
    // Class 53: disk full, out of memory, too many connections, configuration limit; 58030: I/O error.
    if (code.startsWith("53") || code === "58030" || code === "ENOSPC") return "resources";
    // Serialization failure and deadlock (after our retries), statement cancelled (operator or timeout), lock
    // not available, operator intervention.
    if (RETRYABLE_SQLSTATES.has(code) || code === "57014" || code === "55P03" || code === "57000")
      return "busy";
  }
  return /Connection terminated|connection timeout|Cannot use a pool after calling end|Client has encountered a connection error|Client was closed|PGlite is closed|database is closing/i.test(
    err.message,
  )
    ? "unavailable"
    : null;
}

/** True when `err` is a database fault (see `databaseFault`): answered 503, never 500. */
export function isDatabaseUnavailable(err: unknown): boolean {
  return databaseFault(err) !== null;
}

/** Seconds a client should wait before retrying while the database is unavailable. */
export const UNAVAILABLE_RETRY_AFTER_S = 5;

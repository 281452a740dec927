/**
 * True when `err` says the database cannot be reached right now (server down or restarting, connection lost,
 * pool or embedded database closed during shutdown), as opposed to a bad statement. Such failures are the
 * operator's to fix and the client's to retry: the API answers 503 with Retry-After, never 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") {
    // Node socket errors, and SQLSTATE class 08 (connection exception) and 57P0x (shutdown, cannot connect now).
    if (["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND"].includes(code))
      return true;
    if (code.startsWith("08") || /^57P0[1-4]$/.test(code)) return true;
  }
  return /Connection terminated|connection timeout|Cannot use a pool after calling end|Client has encountered a connection error|PGlite is closed|database is closing/i.test(
    err.message,
  );
}

/** Seconds a client should wait before retrying while the database is unavailable. */
export const UNAVAILABLE_RETRY_AFTER_S = 5;

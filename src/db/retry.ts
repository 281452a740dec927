import { RETRYABLE_SQLSTATES } from "./unavailable.js";

/** How many times a transaction is run before its deadlock or serialization failure is answered 503. */
export const TRANSACTION_ATTEMPTS = 5;

/** True when PostgreSQL rolled the transaction back for a conflict with another one (40P01, 40001). */
export function isRetryableConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && RETRYABLE_SQLSTATES.has(code);
}

/**
 * Runs `attempt` (one whole transaction) again when PostgreSQL chose it as a deadlock victim or failed it for
 * serialization, up to `attempts` times in all, waiting a short random while between tries so the contenders
 * drift apart. Such a transaction was rolled back entirely, so running it again is safe; any other error, and
 * the last conflict, is thrown.
 */
export async function retryConflicts<T>(
  attempt: () => Promise<T>,
  attempts: number = TRANSACTION_ATTEMPTS,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n >= attempts || !isRetryableConflict(err)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * n));
    }
  }
}

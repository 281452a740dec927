/**
 * Logins in the order of their lowercase form, the unique key of `users`. Every writer that inserts users inserts
 * them in this order: two transactions inserting the same new logins in different orders would each end up
 * waiting for a row the other holds (a deadlock, 40P01).
 */
export function sortedByLower(logins: readonly string[]): string[] {
  return logins
    .map((l) => [l.toLowerCase(), l] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, l]) => l);
}

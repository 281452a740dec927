import type { Queryable } from "../db/db.js";
import { addDays } from "../util/time.js";

/** Days with a 1-day report: processed, before today and inside the retention, ascending. */
export async function availableDays(db: Queryable, today: string, retentionDays: number): Promise<string[]> {
  const rows = await db.query<{ day: string }>(
    "SELECT day FROM processed_days WHERE day < $1 AND day >= $2 ORDER BY day",
    [today, addDays(today, -retentionDays)],
  );
  return rows.map((r) => r.day);
}

/** The available days written as ranges, for a 404's message: `2026-10-01 to 2026-11-18, 2026-11-20`. */
export function describeDays(days: readonly string[]): string {
  if (days.length === 0) return "none yet (no day has been processed)";
  const ranges: string[] = [];
  let start = days[0]!;
  let prev = start;
  for (const d of [...days.slice(1), ""]) {
    if (d !== "" && d === addDays(prev, 1)) {
      prev = d;
      continue;
    }
    ranges.push(start === prev ? start : `${start} to ${prev}`);
    start = prev = d;
  }
  return ranges.join(", ");
}

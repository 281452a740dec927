import { addDays } from "../util/time.js";

/** The window: the `windowDays` days that end yesterday. Pure: routes and ingestion use it without rollup's I/O. */
export function windowOf(today: string, windowDays: number): { first: string; last: string } {
  return { first: addDays(today, -windowDays), last: addDays(today, -1) };
}

/** UTC calendar-day helpers. A day is always a `YYYY-MM-DD` string in UTC. */

const DAY_MS = 86_400_000;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const PLAIN_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC date of an instant, as `YYYY-MM-DD`. */
export function utcDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** True when `s` is a real calendar date written `YYYY-MM-DD`. */
export function isDay(s: string): boolean {
  const m = PLAIN_DAY.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && utcDay(d) === s;
}

/** `day` shifted by `n` days (n may be negative). */
export function addDays(day: string, n: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}

/** Whole days from `a` to `b` (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

/** Every day from `first` to `last`, both included. */
export function dayRange(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) out.push(d);
  return out;
}

/**
 * Parses an RFC 3339 timestamp (`2026-11-22T09:15:02Z`, fractional seconds and offsets allowed).
 * Returns null for anything else, including impossible dates such as February 30.
 */
export function parseRfc3339(s: string): Date | null {
  const m = RFC3339.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec] = m;
  if (!isDay(`${y}-${mo}-${d}`)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 60) return null;
  const t = Date.parse(s.toUpperCase());
  return Number.isNaN(t) ? null : new Date(t);
}

/**
 * Parses an ISO 8601 query value as GitHub's metrics routes accept it: a plain `YYYY-MM-DD` (a UTC day) or an
 * RFC 3339 timestamp. Returns the UTC day it falls on, or null when it is not a date.
 */
export function parseQueryDay(s: string): string | null {
  if (isDay(s)) return s;
  const t = parseRfc3339(s);
  return t ? utcDay(t) : null;
}

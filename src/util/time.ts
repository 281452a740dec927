/** UTC calendar-day helpers. A day is always a `YYYY-MM-DD` string in UTC. */

const DAY_MS = 86_400_000;
// RFC 3339 puts no bound on the fraction's digits (time-secfrac = "." 1*DIGIT); only milliseconds are kept.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const PLAIN_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC date of an instant, as `YYYY-MM-DD`. */
export function utcDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/**
 * `utcDay` that keeps the last day's text: a server asks for today on every request, and `toISOString` showed in
 * the serving profile. One per owner (an app's routes, a cache), so apps in one process share nothing.
 */
export class UtcDays {
  private day = Number.NaN;
  private text = "";

  /** The UTC date of `instant`, as `YYYY-MM-DD`. */
  of(instant: Date): string {
    const day = Math.floor(instant.getTime() / DAY_MS);
    if (day !== this.day) {
      this.text = instant.toISOString().slice(0, 10);
      this.day = day;
    }
    return this.text;
  }
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Arithmetic, not `new Date`: ingestion checks every event's date, and allocation showed in its profile. */
function realDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : MONTH_DAYS[m - 1]!);
}

/** True when `s` is a real calendar date written `YYYY-MM-DD`. */
export function isDay(s: string): boolean {
  const m = PLAIN_DAY.exec(s);
  return m !== null && realDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** `day` shifted by `n` days (n may be negative). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
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
 * Parses an RFC 3339 timestamp (`2026-11-22T09:15:02Z`, fractional seconds of any length and offsets allowed).
 * A leap second (`23:59:60` in UTC, or the same instant written with an offset) reads as the last millisecond of
 * its UTC day, so it counts on that day: JavaScript time has no leap seconds. Returns null for anything else,
 * including impossible dates such as February 30 and a second 60 that is not at the end of a UTC day.
 */
export function parseRfc3339(s: string): Date | null {
  const m = RFC3339.exec(s);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const sec = Number(m[6]);
  if (!realDate(y, mo, d) || h > 23 || mi > 59 || sec > 60) return null;
  const offH = m[9] === undefined ? 0 : Number(m[9]);
  const offM = m[10] === undefined ? 0 : Number(m[10]);
  if (offH > 23 || offM > 59) return null;
  const leap = sec === 60;
  const ms = leap ? 999 : m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  let t = Date.UTC(y, mo - 1, d, h, mi, leap ? 59 : sec, ms);
  // Date.UTC reads years 0–99 as 1900–1999.
  if (y < 100) t = new Date(t).setUTCFullYear(y);
  t -= (m[8] === "-" ? -1 : 1) * (offH * 60 + offM) * 60_000;
  if (leap && (((t + 1) % DAY_MS) + DAY_MS) % DAY_MS !== 0) return null;
  return new Date(t);
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

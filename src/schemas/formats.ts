import { isDay, parseQueryDay, parseRfc3339 } from "../util/time.js";

/** A year PostgreSQL can store in a date: 0001 to 9999 (year 0000 does not exist). */
export const storableYear = (y: number): boolean => y >= 1 && y <= 9999;

/** Whether `s` holds a control character (NUL above all cannot be stored in PostgreSQL text). */
export function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** A UTF-16 surrogate without its pair (from a `\ud800` escape): not a character, and no UTF-8 can hold it. */
const LONE_SURROGATE = /\p{Cs}/u;

/** An e-mail address: one @, a dotted domain, no spaces; at most 254 characters (RFC 5321's path limit). */
const EMAIL = /^(?=.{3,254}$)[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The string formats pilotlog's schemas name (`Type.String({ format })`). Code, not patterns, where a rule is not a
 * regular language (real calendar days, RFC 3339 with leap seconds) or counts UTF-16 units as the database does.
 */
export const FORMATS = {
  /** `YYYY-MM-DD`, a real calendar day (no 2026-02-30). */
  day: (s: string) => isDay(s),
  /** `since`/`until` of the metrics routes: a day, or a timestamp whose UTC day is taken. */
  "query-day": (s: string) => parseQueryDay(s) !== null,
  /** A day PostgreSQL can store: years 0001–9999. */
  "storable-day": (s: string) => isDay(s) && storableYear(Number(s.slice(0, 4))),
  /** An RFC 3339 timestamp (any fraction, leap seconds, offsets). */
  rfc3339: (s: string) => parseRfc3339(s) !== null,
  /** An RFC 3339 timestamp whose instant falls in years 0001–9999 in UTC. */
  "storable-rfc3339": (s: string) => {
    const at = parseRfc3339(s);
    return at !== null && storableYear(at.getUTCFullYear());
  },
  /** `--now`: an RFC 3339 timestamp, or a day meaning its midnight UTC. */
  "config-now": (s: string) =>
    parseRfc3339(s) !== null || (/^\d{4}-\d{2}-\d{2}$/.test(s) && parseRfc3339(`${s}T00:00:00Z`) !== null),
  /** A display name: 1–255 UTF-16 units, no control characters, no lone surrogates (stored as U+FFFD otherwise). */
  "display-name": (s: string) =>
    s.length > 0 && s.length <= 255 && !hasControlCharacter(s) && !LONE_SURROGATE.test(s),
  /** An e-mail address as the directory file takes it. */
  "email-address": (s: string) => EMAIL.test(s) && !hasControlCharacter(s),
} as const satisfies Record<string, (s: string) => boolean>;

export type FormatName = keyof typeof FORMATS;

/** Registers FORMATS on an ajv instance (the directory's, the configuration's, or Fastify's route compiler). */
export function addFormats(ajv: { addFormat(name: string, format: (s: string) => boolean): unknown }): void {
  for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, check);
}

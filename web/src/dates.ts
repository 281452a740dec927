/** UTC calendar days as `YYYY-MM-DD`, as the API counts them. */

const DAY_MS = 86_400_000;

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

export function dayRange(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) out.push(d);
  return out;
}

/** True when `s` is a real calendar day written `YYYY-MM-DD` (Date.parse rolls 2026-02-30 over to March 2). */
export function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
}

/** The days the server serves: it writes its own date and window into index.html, since it may run on another clock (`--now`). */
export interface ServedWindow {
  first: string;
  last: string;
  days: number;
}

export function servedWindow(doc: Document = document): ServedWindow {
  const meta = (name: string) => doc.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? "";
  const today = meta("pilotlog:today");
  const days = Number(meta("pilotlog:window-days"));
  const t = isDay(today) ? today : new Date().toISOString().slice(0, 10);
  const w = Number.isInteger(days) && days > 0 ? days : 28;
  return { first: addDays(t, -w), last: addDays(t, -1), days: w };
}

/** Short label for chart axes and tables: `Nov 19`. */
export function shortDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString("en", {
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  });
}

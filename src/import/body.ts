/**
 * The text an imported record is kept as (and re-served from): the NDJSON line as it came, or the parsed value
 * written compactly (keys in their order). A 28-day file's window keys are dropped, since the record is served again
 * as a day's record: cut out of the line's own text when they sit there in compact form (the rest of the line stays
 * byte for byte as it came, as a 1-day line does), else the value is written again without them.
 */

const WINDOW_KEYS = ["report_start_day", "report_end_day"] as const;

export function bodyOf(o: Record<string, unknown>, raw: string | null): string {
  if (!("report_start_day" in o) && !("report_end_day" in o)) return raw ?? JSON.stringify(o);
  const cut = raw === null ? null : cutWindow(raw, o);
  if (cut !== null) return cut;
  const { report_start_day: _a, report_end_day: _b, ...rest } = o;
  return JSON.stringify(rest);
}

/**
 * `text` without its top-level members `"report_start_day":"…"` and `"report_end_day":"…"` (those of them `o` has),
 * each with one comma beside it; null when one is not there in exactly that form, once, at the top level: the
 * caller then writes the value again. Re-serializing each record was a tenth of an import's CPU time.
 */
function cutWindow(text: string, o: Record<string, unknown>): string | null {
  const cuts: [number, number][] = [];
  for (const key of WINDOW_KEYS) {
    if (!(key in o)) continue;
    const value = o[key];
    // A value needing an escape could be spelled several ways: not looked for.
    if (typeof value !== "string" || !PLAIN.test(value)) return null;
    const name = `"${key}"`;
    // Searched for without its opening quote: JSON has a quote every few characters, and each is a candidate match
    // that V8's search must compare, where an `r` is rarer (the search was a quarter of a record's parse).
    const bare = `${key}"`;
    const at = text.indexOf(bare) - 1;
    // Twice (a nested object's key, or a duplicate key JSON.parse took the last of), or a key ending in this one:
    // not guessed at. indexOf, not lastIndexOf: V8's lastIndexOf compares at every position from the end.
    if (at < 0 || text.charCodeAt(at) !== 0x22 || text.indexOf(bare, at + 2) >= 0) return null;
    const end = at + name.length + value.length + 3;
    if (text.charCodeAt(at + name.length) !== 0x3a || text.slice(at + name.length + 1, end) !== `"${value}"`)
      return null;
    const before = text.charCodeAt(at - 1);
    const after = text.charCodeAt(end);
    if (!((before === 0x2c || before === 0x7b) && (after === 0x2c || after === 0x7d))) return null;
    cuts.push([at, end]);
  }
  if (cuts.length === 2 && cuts[1]![0] < cuts[0]![0]) cuts.reverse();
  if (!atTopLevel(text, cuts)) return null;
  // Each member goes with the comma before it, else (first in the object, or that comma gone with the member
  // before) with the comma after it, else (alone) by itself.
  let out = "";
  let from = 0;
  for (const [at, end] of cuts) {
    if (text.charCodeAt(at - 1) === 0x2c && at - 1 >= from) out += text.slice(from, at - 1);
    else {
      out += text.slice(from, at);
      if (text.charCodeAt(end) === 0x2c) {
        from = end + 1;
        continue;
      }
    }
    from = end;
  }
  return out + text.slice(from);
}

const PLAIN = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

/** Whether each `[at, …)` of a JSON object's text is directly inside the outer object, outside any string. */
function atTopLevel(text: string, cuts: readonly [number, number][]): boolean {
  let depth = 0;
  let inString = false;
  let next = 0;
  for (let i = 0; next < cuts.length; i++) {
    if (i === cuts[next]![0]) {
      if (depth !== 1 || inString) return false;
      next++;
    }
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return true;
}

/**
 * Any text as an array literal for `$n::text::text[]`, every element quoted, `"` and `\` escaped: the driver would
 * otherwise serialize a `text[]` parameter element by element in JavaScript, where PostgreSQL parses this text in C.
 */
export function textArray(values: readonly string[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (i > 0) out += ",";
    out += `"${v.includes('"') || v.includes("\\") ? v.replace(/["\\]/g, "\\$&") : v}"`;
  }
  return `${out}}`;
}

import type { Queryable } from "../db/db.js";

const NEEDS_ESCAPE = /[\\"]/;
const ESCAPED = /[\\"]/g;

/**
 * A PostgreSQL array literal of strings and numbers (null and undefined: NULL), every element quoted as the
 * drivers quote them, or undefined when some element is of another kind. Both engines take the literal as they
 * take their own serialization of the array; ingestion's batches of a thousand rows spend less building it
 * here, where an element rarely needs escaping.
 */
function arrayLiteral(values: readonly unknown[]): string | undefined {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ",";
    if (v === null || v === undefined) out += "NULL";
    else if (typeof v === "number") out += `"${v}"`;
    else if (typeof v === "string")
      out += NEEDS_ESCAPE.test(v) ? `"${v.replace(ESCAPED, "\\$&")}"` : `"${v}"`;
    else return undefined;
  }
  return `${out}}`;
}

/** `tx`, sending array parameters of strings and numbers as literals. */
export function arraysAsLiterals(tx: Queryable): Queryable {
  return { query: (sql, params) => tx.query(sql, params && withArrayLiterals(params)) };
}

/** `params` with each array of strings and numbers given as its literal (for `$n::type[]` parameters). */
export function withArrayLiterals(params: readonly unknown[]): unknown[] {
  return params.map((p) => (Array.isArray(p) ? (arrayLiteral(p) ?? p) : p));
}

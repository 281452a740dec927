/**
 * Column values sent as one text parameter each, for `INSERT … SELECT FROM unnest(…)`: both drivers would otherwise
 * serialize an array parameter element by element in JavaScript (a third of an import's time on PGlite), while
 * PostgreSQL reads these texts in C.
 */

/** Whole numbers (or days, or text with no comma such as `org:12`) for `string_to_array($n, ',')::int[]`. */
export const commaList = (values: readonly (number | string)[]): string => values.join(",");

import { textArray } from "../db/text-array.js";

export { textArray };

/**
 * JSON texts joined by U+001F, for `string_to_array($n, chr(31))`. JSON text never holds that character raw (a
 * control character is escaped inside strings and not allowed outside them), so no escaping is needed.
 */
export const jsonTexts = (values: readonly string[]): string => values.join("\u001f");

/**
 * A text column's parameter (read with `TEXT_COLUMN_SQL[n]`): joined by U+001F for `string_to_array` (a plain split, cheaper for PostgreSQL than
 * reading a quoted array literal) unless a value holds that character or the column is one empty text (which
 * `string_to_array` reads as no element); else as an array literal.
 */
export function textColumn(values: readonly string[]): { plain: boolean; param: string } {
  const plain = !(values.length === 1 && values[0] === "") && !values.some((v) => v.includes("\u001f"));
  return plain ? { plain, param: jsonTexts(values) } : { plain, param: textArray(values) };
}

/**
 * How statements read text column `$n`, as literal fragments only (test/reliability/sql-parameterised.test.ts
 * accepts nothing else spliced into SQL).
 */
export const TEXT_COLUMN_SQL = {
  3: { plain: "string_to_array($3, chr(31))", array: "$3::text::text[]" },
  4: { plain: "string_to_array($4, chr(31))", array: "$4::text::text[]" },
  5: { plain: "string_to_array($5, chr(31))", array: "$5::text::text[]" },
  6: { plain: "string_to_array($6, chr(31))", array: "$6::text::text[]" },
  7: { plain: "string_to_array($7, chr(31))", array: "$7::text::text[]" },
} as const;

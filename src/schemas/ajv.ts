import { Ajv, type ErrorObject, type Options, type ValidateFunction } from "ajv";
import type { TSchema } from "typebox";
import { addFormats } from "./formats.js";

export type { ErrorObject };

/**
 * An ajv instance for pilotlog's own validation (directory files, configuration): every error (`allErrors`), each
 * with the schema node that failed (`verbose`: the `x-error` annotations live there), pilotlog's formats, and
 * regular expressions without the `u` flag so lengths count UTF-16 units as the rest of the code does.
 */
export function pilotlogAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, verbose: true, unicodeRegExp: false, ...options });
  ajv.addKeyword("x-error");
  addFormats(ajv);
  return ajv;
}

/** A compiled validator of a TypeBox schema with pilotlogAjv. */
export function compile<T extends TSchema>(schema: T, options: Options = {}): ValidateFunction {
  return pilotlogAjv(options).compile(schema);
}

/** `/organizations/0/login` → `["organizations", "0", "login"]` (JSON pointer unescaped). */
export function pointerParts(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

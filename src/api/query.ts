import type { ValidateFunction } from "ajv";
import { ApiError, type FieldError } from "../http/errors.js";
import { compile, pointerParts } from "../schemas/ajv.js";
import { MetricsQuerySchema, PaginationQuery } from "../schemas/route.js";
import { parseQueryDay } from "../util/time.js";

export interface MetricsQuery {
  /** First and last day asked for, clamped to the window; first > last means nothing can match. */
  first: string;
  last: string;
  page: number;
  perPage: number;
}

type RawQuery = Record<string, string | string[] | undefined>;

const checkMetricsQuery = compile(MetricsQuerySchema);
const checkPagination = compile(PaginationQuery);

/**
 * Validates `q` against a query schema and gives each parameter that failed, with whether it was repeated, in the
 * schema's order.
 */
function failedParams(check: ValidateFunction, q: RawQuery): { name: string; repeated: boolean }[] {
  if (check(q)) return [];
  const out = new Map<string, boolean>();
  for (const e of check.errors ?? []) {
    if (e.keyword === "if") continue;
    const name = pointerParts(e.instancePath)[0];
    if (name !== undefined && !out.has(name)) out.set(name, Array.isArray(q[name]));
  }
  return [...out].map(([name, repeated]) => ({ name, repeated }));
}

/** The message of a whole-number parameter of at least 1 (`page`, `per_page`). */
const positiveError = (name: string, resource: string): FieldError => ({
  resource,
  field: name,
  code: "invalid",
  message: `${name} must be a whole number of at least 1`,
});

/**
 * `page` and `per_page` of a list endpoint (PaginationQuery): `fallback` when absent or empty, and a
 * `Validation Failed` entry in `errors` (naming it) for anything else, repeated values included.
 */
export function pageParams(
  q: RawQuery,
  fallbacks: { page: number; perPage: number },
  errors: FieldError[],
  resource: string,
): { page: number; perPage: number } {
  for (const f of failedParams(checkPagination, q)) errors.push(positiveError(f.name, resource));
  const read = (name: string, fallback: number) => {
    const v = q[name];
    return typeof v === "string" && v !== "" && errors.every((e) => e.field !== name) ? Number(v) : fallback;
  };
  return { page: read("page", fallbacks.page), perPage: read("per_page", fallbacks.perPage) };
}

/**
 * Reads `since`, `until`, `page` and `per_page` as metrics-semantics.md says (MetricsQuerySchema). Problems are
 * collected and thrown together as one 422 `Validation Failed`, each naming its parameter.
 */
export function parseMetricsQuery(
  q: RawQuery,
  window: { first: string; last: string; days: number },
  docs: string,
): MetricsQuery {
  const errors: FieldError[] = [];
  for (const { name, repeated } of failedParams(checkMetricsQuery, q)) {
    const message = repeated
      ? `${name} was given more than once`
      : name === "since" || name === "until"
        ? `${name} must be an ISO 8601 timestamp such as 2026-11-01T00:00:00Z or a date such as 2026-11-01`
        : `${name} must be a whole number of at least 1`;
    errors.push({ resource: "CopilotMetrics", field: name, code: "invalid", message });
  }
  const ok = (name: string) => errors.every((e) => e.field !== name);
  const day = (name: "since" | "until") => {
    const v = q[name];
    return typeof v === "string" && ok(name) ? parseQueryDay(v) : null;
  };
  const positive = (name: string, fallback: number) => {
    const v = q[name];
    return typeof v === "string" && v !== "" && ok(name) ? Number(v) : fallback;
  };
  const since = day("since");
  const until = day("until");
  const page = positive("page", 1);
  const perPage = Math.min(positive("per_page", window.days), window.days);
  if (since && until && until < since) {
    errors.push({
      resource: "CopilotMetrics",
      field: "until",
      code: "invalid",
      message: "until must not be before since",
    });
  }
  if (errors.length > 0)
    throw new ApiError("validation_failed", undefined, { errors, documentationUrl: docs });
  return {
    first: since && since > window.first ? since : window.first,
    last: until && until < window.last ? until : window.last,
    page,
    perPage,
  };
}

/**
 * GitHub's `Link` header for page `page` of `pages`, keeping the request's other query parameters; null when
 * everything fits on one page.
 */
export function linkHeader(
  baseUrl: string,
  query: URLSearchParams,
  page: number,
  pages: number,
): string | null {
  if (pages <= 1) return null;
  const url = (p: number) => {
    const q = new URLSearchParams(query);
    q.set("page", String(p));
    return `<${baseUrl}?${q.toString()}>`;
  };
  const parts: string[] = [];
  if (page > 1) parts.push(`${url(Math.min(page - 1, pages))}; rel="prev"`);
  if (page < pages) parts.push(`${url(page + 1)}; rel="next"`);
  if (page < pages) parts.push(`${url(pages)}; rel="last"`);
  if (page > 1) parts.push(`${url(1)}; rel="first"`);
  return parts.join(", ");
}

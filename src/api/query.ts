import { parseQueryDay } from "../util/time.js";
import { ApiError, type FieldError } from "./errors.js";

export interface MetricsQuery {
  /** First and last day asked for, clamped to the window; first > last means nothing can match. */
  first: string;
  last: string;
  page: number;
  perPage: number;
}

type RawQuery = Record<string, string | string[] | undefined>;

/**
 * Reads a whole-number query parameter of at least 1 (`page`, `per_page`): `fallback` when absent, and a
 * `Validation Failed` entry in `errors` (naming it) for anything else, repeated values included.
 */
export function positiveParam(
  v: string | string[] | undefined,
  name: string,
  fallback: number,
  errors: FieldError[],
  resource: string,
): number {
  if (v === undefined || v === "") return fallback;
  if (typeof v !== "string" || !/^\d+$/.test(v) || Number(v) < 1) {
    errors.push({
      resource,
      field: name,
      code: "invalid",
      message: `${name} must be a whole number of at least 1`,
    });
    return fallback;
  }
  return Number(v);
}

/**
 * Reads `since`, `until`, `page` and `per_page` as metrics-semantics.md says. Problems are collected and thrown
 * together as one 422 `Validation Failed`, each naming its parameter.
 */
export function parseMetricsQuery(
  q: RawQuery,
  window: { first: string; last: string; days: number },
  docs: string,
): MetricsQuery {
  const errors: FieldError[] = [];
  const single = (name: string): string | undefined => {
    const v = q[name];
    if (Array.isArray(v)) {
      errors.push({
        resource: "CopilotMetrics",
        field: name,
        code: "invalid",
        message: `${name} was given more than once`,
      });
      return undefined;
    }
    return v;
  };
  const day = (name: string): string | null => {
    const v = single(name);
    if (v === undefined) return null;
    const d = parseQueryDay(v);
    if (!d) {
      errors.push({
        resource: "CopilotMetrics",
        field: name,
        code: "invalid",
        message: `${name} must be an ISO 8601 timestamp such as 2026-11-01T00:00:00Z or a date such as 2026-11-01`,
      });
    }
    return d;
  };
  const positive = (name: string, fallback: number): number =>
    positiveParam(single(name), name, fallback, errors, "CopilotMetrics");
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

/**
 * The one catalogue of errors pilotlog answers with (docs/errors.md lists it). Every non-2xx answer is made from
 * an entry here: routes throw `ApiError`s of a kind, the app's error handler writes GitHub's body
 * (`{"message", "documentation_url", "status"}`, + `errors` for validation failures) and the entry's stable code
 * in the `x-pilotlog-error-code` header, and what Node's HTTP parser refuses before Fastify runs (408, 417, 431)
 * is written from the same entries by `rawAnswer`. The cause of an error is kept on it and logged, never sent.
 */
import { STATUS_CODES } from "node:http";

export const DOCS = {
  metrics: "https://docs.github.com/rest/copilot/copilot-metrics",
  enterpriseMetrics:
    "https://docs.github.com/rest/copilot/copilot-metrics#get-copilot-metrics-for-an-enterprise",
  enterpriseTeamMetrics:
    "https://docs.github.com/rest/copilot/copilot-metrics#get-copilot-metrics-for-an-enterprise-team",
  orgMetrics: "https://docs.github.com/rest/copilot/copilot-metrics#get-copilot-metrics-for-an-organization",
  teamMetrics: "https://docs.github.com/rest/copilot/copilot-metrics#get-copilot-metrics-for-a-team",
  rest: "https://docs.github.com/rest",
  versions: "https://docs.github.com/rest/about-the-rest-api/api-versions",
  rateLimits: "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api",
  telemetry: "https://github.com/pilotlog/pilotlog/blob/main/docs/telemetry-events.md",
  usageMetrics: "https://docs.github.com/enterprise-cloud@latest/rest/copilot/copilot-usage-metrics",
  otlp: "https://github.com/pilotlog/pilotlog/blob/main/docs/otlp-ingest.md",
} as const;

/** One entry of the catalogue. */
export interface CatalogueEntry {
  /** Stable across releases (as Fastify's `FST_ERR_*`): clients and logs may match on it. */
  code: `PL_ERR_${string}`;
  status: number;
  /** The default message (GitHub's words where GitHub has them); a throw site may say more. */
  message: string;
  /** When pilotlog answers it and what the client should do (docs/errors.md shows these). */
  when: string;
}

/** Every error pilotlog answers with, by kind. */
export const ERROR_CATALOGUE = {
  requires_authentication: {
    code: "PL_ERR_REQUIRES_AUTHENTICATION",
    status: 401,
    message: "Requires authentication",
    when: "No Authorization header: send `Authorization: Bearer <token>`.",
  },
  bad_credentials: {
    code: "PL_ERR_BAD_CREDENTIALS",
    status: 401,
    message: "Bad credentials",
    when: "The token is unknown, revoked or expired: create one with `pilotlog token create`.",
  },
  forbidden: {
    code: "PL_ERR_FORBIDDEN",
    status: 403,
    message: "Forbidden",
    when: "The token is valid but may not read or write this resource; the message names the missing grant.",
  },
  not_found: {
    code: "PL_ERR_NOT_FOUND",
    status: 404,
    message: "Not Found",
    when: "The organization, enterprise, team, report or admin route does not exist or is not visible to this token (GitHub does not tell them apart).",
  },
  route_not_found: {
    code: "PL_ERR_ROUTE_NOT_FOUND",
    status: 404,
    message: "Not Found",
    when: "No route has this method and path.",
  },
  policy_disabled: {
    code: "PL_ERR_POLICY_DISABLED",
    status: 422,
    message: "Copilot Usage Metrics API setting is disabled at the organization or enterprise level.",
    when: "The legacy metrics API is turned off for the organization or enterprise in the directory file.",
  },
  validation_failed: {
    code: "PL_ERR_VALIDATION_FAILED",
    status: 422,
    message: "Validation Failed",
    when: "A query parameter or body field is invalid; `errors` names each field and what it must be.",
  },
  directory_file_invalid: {
    code: "PL_ERR_DIRECTORY_FILE_INVALID",
    status: 422,
    message: "The directory file is not valid",
    when: "`POST /_pilotlog/admin/apply` (pilotlog apply): the file has problems; `issues` lists each with its path. Nothing was applied.",
  },
  process_request_invalid: {
    code: "PL_ERR_PROCESS_REQUEST_INVALID",
    status: 422,
    message: "This day cannot be processed",
    when: "`POST /_pilotlog/admin/process` (pilotlog process --day): the day is not a date or is outside the window.",
  },
  token_request_invalid: {
    code: "PL_ERR_TOKEN_REQUEST_INVALID",
    status: 422,
    message: "The token request is not valid",
    when: "`POST /_pilotlog/admin/tokens/*` (pilotlog token): kind, user, owner or permissions do not fit together.",
  },
  bad_request: {
    code: "PL_ERR_BAD_REQUEST",
    status: 400,
    message: "Problems parsing JSON",
    when: "The body cannot be read (not JSON, bad Content-Length, bad Content-Encoding, not UTF-8).",
  },
  bad_json: {
    code: "PL_ERR_BAD_JSON",
    status: 400,
    message: "Problems parsing JSON",
    when: "A JSON body of a local route is not valid JSON.",
  },
  malformed_request: {
    code: "PL_ERR_MALFORMED_REQUEST",
    status: 400,
    message: "Bad request: the HTTP request could not be parsed",
    when: "Node's HTTP parser or the router refused the request line, a header or the URL.",
  },
  unsupported_api_version: {
    code: "PL_ERR_UNSUPPORTED_API_VERSION",
    status: 400,
    message: "Unsupported API version",
    when: "The X-GitHub-Api-Version header names a version pilotlog does not serve.",
  },
  request_timeout: {
    code: "PL_ERR_REQUEST_TIMEOUT",
    status: 408,
    message: "Request Timeout",
    when: "The headers or the whole request did not arrive within the server's limits (RELIABILITY.md); the connection is closed.",
  },
  payload_too_large: {
    code: "PL_ERR_PAYLOAD_TOO_LARGE",
    status: 413,
    message: "Payload too large",
    when: "The body, or its events once decompressed, exceed the limits: send smaller batches.",
  },
  unsupported_media_type: {
    code: "PL_ERR_UNSUPPORTED_MEDIA_TYPE",
    status: 415,
    message: "Unsupported Media Type",
    when: "The Content-Type is not one the route reads (the message lists those it does).",
  },
  expectation_failed: {
    code: "PL_ERR_EXPECTATION_FAILED",
    status: 417,
    message: "Expectation Failed",
    when: "An Expect header other than `100-continue`.",
  },
  headers_too_large: {
    code: "PL_ERR_HEADERS_TOO_LARGE",
    status: 431,
    message: "Request Header Fields Too Large",
    when: "The request line and headers together exceed the header limit; the connection is closed.",
  },
  rate_limited: {
    code: "PL_ERR_RATE_LIMITED",
    status: 403,
    message:
      "API rate limit exceeded for this token. Wait until the time in the x-ratelimit-reset header (see retry-after), or raise --rate-limit.",
    when: "The token used up its requests for the hour (--rate-limit).",
  },
  login_attempts_exceeded: {
    code: "PL_ERR_LOGIN_ATTEMPTS_EXCEEDED",
    status: 403,
    message: "Maximum number of login attempts exceeded. Please try again later.",
    when: "Too many bad tokens from this address: wait for Retry-After.",
  },
  cross_origin_refused: {
    code: "PL_ERR_CROSS_ORIGIN_REFUSED",
    status: 403,
    message: "Cross-origin request refused",
    when: "A local (`/_pilotlog/`) route was called from another site's page.",
  },
  reports_policy_disabled: {
    code: "PL_ERR_REPORTS_POLICY_DISABLED",
    status: 403,
    message:
      'Copilot usage metrics are disabled by the copilot_metrics_policy of this enterprise or organization. Enable the "Copilot usage metrics" policy (copilot_metrics_policy: enabled in the directory file, then pilotlog apply) to read the reports.',
    when: "The usage-metrics reports are turned off by the copilot_metrics_policy.",
  },
  report_link_invalid: {
    code: "PL_ERR_REPORT_LINK_INVALID",
    status: 403,
    message:
      "This download link has expired or was altered. Links are valid for --report-link-ttl (default 1h): ask the report route for a new one.",
    when: "A signed report download link expired or was changed.",
  },
  overloaded: {
    code: "PL_ERR_OVERLOADED",
    status: 429,
    message: "Too many requests are being processed; retry after the time in Retry-After.",
    when: "Too many requests in flight at once (OTLP, ingestion): retry after Retry-After.",
  },
  internal: {
    code: "PL_ERR_INTERNAL",
    status: 500,
    message: "Internal Server Error",
    when: "A fault in pilotlog; the server's log has the cause. Please report it.",
  },
  service_unavailable: {
    code: "PL_ERR_SERVICE_UNAVAILABLE",
    status: 503,
    message: "Service temporarily unavailable; retry later.",
    when: "The database is unavailable, out of resources or busy, or the server is shutting down: retry after Retry-After with the same request.",
  },
  not_ready: {
    code: "PL_ERR_NOT_READY",
    status: 503,
    message: "not ready\n",
    when: "`GET /readyz` while the database cannot be reached, its schema is not current, or the server is shutting down (answered as text for probes).",
  },
  dashboard_not_built: {
    code: "PL_ERR_DASHBOARD_NOT_BUILT",
    status: 503,
    message:
      "The pilotlog dashboard is not built. Run `npm run build` in the pilotlog folder, then reload this page.\n" +
      "(The API itself is running: GitHub's routes answer as usual.)\n",
    when: "`GET /` before `npm run build` made the dashboard (answered as text for the browser).",
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorKind = keyof typeof ERROR_CATALOGUE;

/** Status and default message of each kind (the catalogue, under its earlier name). */
export const ERROR_KINDS: Record<ErrorKind, CatalogueEntry> = ERROR_CATALOGUE;

/** The header carrying an error answer's stable code. */
export const ERROR_CODE_HEADER = "x-pilotlog-error-code";

/** One field of a `Validation Failed` answer, as GitHub writes it. */
export interface FieldError {
  resource: string;
  field: string;
  code: "invalid" | "missing" | "missing_field" | "already_exists" | "custom";
  message?: string;
}

/** What a throw site may add to a catalogue entry. */
export interface ApiErrorOptions {
  documentationUrl?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Fields the body carries besides GitHub's (the admin apply route's `issues`). */
  extra?: Record<string, unknown>;
  /** What went wrong underneath: logged by the error handler, never sent. */
  cause?: unknown;
}

/** An answer of the catalogue: a kind, its message, and what the throw site adds. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: CatalogueEntry["code"];
  constructor(
    readonly kind: ErrorKind,
    message?: string,
    readonly options: ApiErrorOptions = {},
  ) {
    super(
      message ?? ERROR_CATALOGUE[kind].message,
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.status = ERROR_CATALOGUE[kind].status;
    this.code = ERROR_CATALOGUE[kind].code;
  }
}

/**
 * Implemented by the errors of other modules (body decoding, directory files, token requests, …) that a route
 * may let through: the error handler answers them as the catalogue entry they name, with their message.
 */
export interface CataloguedError extends Error {
  readonly catalogueKind: ErrorKind;
  /** Body fields besides GitHub's (see ApiErrorOptions.extra). */
  readonly extraBody?: Record<string, unknown>;
}

/** True for an error that names its catalogue entry. */
export function isCatalogued(err: unknown): err is CataloguedError {
  return (
    err instanceof Error &&
    typeof (err as Partial<CataloguedError>).catalogueKind === "string" &&
    (err as CataloguedError).catalogueKind in ERROR_CATALOGUE
  );
}

/** The ApiError a catalogued error answers as (the original kept as its cause). */
export function fromCatalogued(err: CataloguedError, options: ApiErrorOptions = {}): ApiError {
  return new ApiError(err.catalogueKind, err.message, {
    ...(err.extraBody ? { extra: err.extraBody } : {}),
    ...options,
    cause: err,
  });
}

/** What a client is told for each kind of database fault (src/db/unavailable.ts), after "The database ". */
const DATABASE_FAULT_MESSAGES = {
  unavailable: "is unavailable",
  resources:
    "is out of resources (disk, memory or connections); the operator sees the cause in the server's log",
  busy: "is busy with conflicting writes",
} as const;

/**
 * The 503 for a database fault, with Retry-After. A request that got it was not acknowledged: sending it again
 * unchanged is safe (events already stored are then reported as duplicates).
 */
export function databaseFaultError(
  fault: keyof typeof DATABASE_FAULT_MESSAGES,
  retryAfterSeconds: number,
): ApiError {
  return new ApiError(
    "service_unavailable",
    `The database ${DATABASE_FAULT_MESSAGES[fault]}. Retry in ${retryAfterSeconds} seconds with the same request; ` +
      "events already stored are then reported as duplicates.",
    { headers: { "retry-after": String(retryAfterSeconds) } },
  );
}

/** GitHub's error body for an ApiError. */
export function errorBody(err: ApiError, fallbackDocs: string = DOCS.rest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    message: err.message,
    documentation_url: err.options.documentationUrl ?? fallbackDocs,
    status: String(err.status),
  };
  if (err.options.errors) body.errors = err.options.errors;
  if (err.options.extra) Object.assign(body, err.options.extra);
  return body;
}

/**
 * A whole HTTP/1.1 answer for an ApiError, written straight to a socket: Node's parser refuses some requests
 * (oversized headers, timeouts, unparseable) before Fastify sees them, so they cannot go through its handler.
 * The connection is closed after it.
 */
export function rawAnswer(err: ApiError): string {
  const body = JSON.stringify(errorBody(err));
  return (
    `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `${ERROR_CODE_HEADER}: ${err.code}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/**
 * The one catalogue of errors pilotlog answers with. Routes throw `ApiError`s made from these kinds; one handler
 * writes GitHub's body: `{"message", "documentation_url", "status"}` (+ `errors` for validation failures).
 */

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

export type ErrorKind =
  | "requires_authentication"
  | "bad_credentials"
  | "forbidden"
  | "not_found"
  | "policy_disabled"
  | "validation_failed"
  | "bad_request"
  | "unsupported_api_version"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "login_attempts_exceeded"
  | "cross_origin_refused"
  | "overloaded"
  | "service_unavailable"
  | "reports_policy_disabled"
  | "report_link_invalid"
  | "internal";

interface KindInfo {
  status: number;
  message: string;
}

/** Status and default message of each kind (GitHub's words where GitHub has them). */
export const ERROR_KINDS: Record<ErrorKind, KindInfo> = {
  requires_authentication: { status: 401, message: "Requires authentication" },
  bad_credentials: { status: 401, message: "Bad credentials" },
  forbidden: { status: 403, message: "Forbidden" },
  not_found: { status: 404, message: "Not Found" },
  policy_disabled: {
    status: 422,
    message: "Copilot Usage Metrics API setting is disabled at the organization or enterprise level.",
  },
  validation_failed: { status: 422, message: "Validation Failed" },
  bad_request: { status: 400, message: "Problems parsing JSON" },
  unsupported_api_version: { status: 400, message: "Unsupported API version" },
  payload_too_large: { status: 413, message: "Payload too large" },
  unsupported_media_type: { status: 415, message: "Unsupported Media Type" },
  rate_limited: {
    status: 403,
    message:
      "API rate limit exceeded for this token. Wait until the time in the x-ratelimit-reset header (see retry-after), or raise --rate-limit.",
  },
  login_attempts_exceeded: {
    status: 403,
    message: "Maximum number of login attempts exceeded. Please try again later.",
  },
  cross_origin_refused: { status: 403, message: "Cross-origin request refused" },
  overloaded: {
    status: 429,
    message: "Too many requests are being processed; retry after the time in Retry-After.",
  },
  service_unavailable: { status: 503, message: "Service temporarily unavailable; retry later." },
  internal: { status: 500, message: "Internal Server Error" },
  reports_policy_disabled: {
    status: 403,
    message:
      'Copilot usage metrics are disabled by the copilot_metrics_policy of this enterprise or organization. Enable the "Copilot usage metrics" policy (copilot_metrics_policy: enabled in the directory file, then pilotlog apply) to read the reports.',
  },
  report_link_invalid: {
    status: 403,
    message:
      "This download link has expired or was altered. Links are valid for --report-link-ttl (default 1h): ask the report route for a new one.",
  },
};

/** One field of a `Validation Failed` answer, as GitHub writes it. */
export interface FieldError {
  resource: string;
  field: string;
  code: "invalid" | "missing" | "missing_field" | "already_exists" | "custom";
  message?: string;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly kind: ErrorKind,
    message?: string,
    readonly options: {
      documentationUrl?: string;
      errors?: FieldError[];
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message ?? ERROR_KINDS[kind].message);
    this.status = ERROR_KINDS[kind].status;
  }
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
  return body;
}

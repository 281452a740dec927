import type { OtlpEncoding } from "./decode.js";
import type { Signal } from "./model.js";
import { PROTO } from "./proto.js";

const PARTIAL = {
  metrics: { type: PROTO.metricsResponse, field: "rejectedDataPoints", noun: "data point" },
  logs: { type: PROTO.logsResponse, field: "rejectedLogRecords", noun: "log record" },
  traces: { type: PROTO.traceResponse, field: "rejectedSpans", noun: "span" },
} as const;

/** What an item of the signal is called in messages. */
export function itemNoun(signal: Signal): string {
  return PARTIAL[signal].noun;
}

export interface EncodedBody {
  contentType: string;
  body: Buffer | string;
}

/**
 * The Export…ServiceResponse of OTLP/HTTP in the request's encoding: empty when everything was taken, else
 * `partialSuccess` with the number refused and a message. OTLP/JSON writes the 64-bit count as a string.
 */
export function exportResponse(
  signal: Signal,
  encoding: OtlpEncoding,
  rejected: number,
  errorMessage: string,
): EncodedBody {
  const { type, field } = PARTIAL[signal];
  const partial = rejected > 0 || errorMessage !== "" ? { [field]: rejected, errorMessage } : null;
  if (encoding === "json") {
    const body = partial ? { partialSuccess: { [field]: String(rejected), errorMessage } } : {};
    return { contentType: "application/json", body: JSON.stringify(body) };
  }
  const message = type.create(partial ? { partialSuccess: partial } : {});
  return { contentType: "application/x-protobuf", body: Buffer.from(type.encode(message).finish()) };
}

/** gRPC status codes of google.rpc.Status, by HTTP status (OTLP/HTTP error bodies carry one). */
function grpcCode(status: number): number {
  if (status === 400 || status === 415) return 3; // INVALID_ARGUMENT
  if (status === 401) return 16; // UNAUTHENTICATED
  if (status === 403) return 7; // PERMISSION_DENIED
  if (status === 413 || status === 429) return 8; // RESOURCE_EXHAUSTED
  if (status === 503) return 14; // UNAVAILABLE
  return 13; // INTERNAL
}

/** An OTLP/HTTP error body (google.rpc.Status) in the request's encoding. */
export function statusBody(encoding: OtlpEncoding, status: number, message: string): EncodedBody {
  const code = grpcCode(status);
  if (encoding === "json")
    return { contentType: "application/json", body: JSON.stringify({ code, message }) };
  const m = PROTO.status.create({ code, message });
  return { contentType: "application/x-protobuf", body: Buffer.from(PROTO.status.encode(m).finish()) };
}

/** The partialSuccess message: how many were refused, and the first few reasons with the items' positions. */
export function rejectionMessage(
  signal: Signal,
  total: number,
  rejected: readonly { index: number; message: string }[],
): string {
  if (rejected.length === 0) return "";
  const noun = itemNoun(signal);
  const shown = rejected.slice(0, 5).map((r) => `${noun} ${r.index}: ${r.message}`);
  const more = rejected.length > 5 ? `; and ${rejected.length - 5} more` : "";
  return `${rejected.length} of ${total} ${noun}s refused. ${shown.join("; ")}${more}`;
}

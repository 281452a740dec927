import type { Socket } from "node:net";
import { INGEST_LIMITS } from "../ingest/route.js";
import { ApiError, rawAnswer } from "./errors.js";

/** Every limit the server enforces on what clients send (RELIABILITY.md lists them with their answers). */
export const LIMITS = {
  /** Bytes of a request body, compressed or not (413). */
  bodyBytes: INGEST_LIMITS.maxBytes,
  /** Events in one ingestion request (413). */
  eventsPerRequest: INGEST_LIMITS.maxEvents,
  /** Bytes of the request line and headers together (431). */
  headerBytes: 16 * 1024,
  /** Milliseconds to receive a whole request, headers and body (408): slow senders cannot hold a connection. */
  requestMs: 60_000,
  /** Milliseconds to receive the headers (408). */
  headersMs: 30_000,
  /** Open connections; beyond it new ones are closed at once (clients retry). */
  connections: 10_000,
} as const;

/**
 * Answers what Node's HTTP parser rejects before any route runs (oversized headers, timeouts, malformed requests)
 * with GitHub's error body instead of the framework's, then closes the connection.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  socket.end(rawAnswer(clientError(err)));
}

/** The catalogue entry for what Node's HTTP parser refused, with the limit it hit. */
export function clientError(err: NodeJS.ErrnoException): ApiError {
  if (err.code === "ERR_HTTP_REQUEST_TIMEOUT")
    return new ApiError("request_timeout", `Request not received within ${LIMITS.requestMs / 1000} seconds`, {
      cause: err,
    });
  if (err.code === "HPE_HEADER_OVERFLOW")
    return new ApiError("headers_too_large", `Request headers are larger than ${LIMITS.headerBytes} bytes`, {
      cause: err,
    });
  return new ApiError("malformed_request", undefined, { cause: err });
}

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

/** The time limits of one server (tests shorten them; production uses LIMITS). */
export interface Timeouts {
  requestMs: number;
  headersMs: number;
}

/**
 * Fastify's clientErrorHandler: answers what Node's HTTP parser rejects before any route runs (oversized headers,
 * timeouts, malformed requests) from the error catalogue, with GitHub's body, then closes the connection. The 408
 * names the server's own limit.
 */
export function clientErrorHandlerFor(
  timeouts: Timeouts,
): (err: NodeJS.ErrnoException, socket: Socket) => void {
  return (err, socket) => {
    if (err.code === "ECONNRESET" || socket.destroyed) return;
    socket.end(rawAnswer(clientError(err, timeouts)));
  };
}

/** The catalogue entry for what Node's HTTP parser refused, with the limit it hit. */
export function clientError(err: NodeJS.ErrnoException, timeouts: Timeouts = LIMITS): ApiError {
  if (err.code === "ERR_HTTP_REQUEST_TIMEOUT")
    return new ApiError(
      "request_timeout",
      `Request not received within ${timeouts.requestMs / 1000} seconds`,
      {
        cause: err,
      },
    );
  if (err.code === "HPE_HEADER_OVERFLOW")
    return new ApiError("headers_too_large", `Request headers are larger than ${LIMITS.headerBytes} bytes`, {
      cause: err,
    });
  return new ApiError("malformed_request", undefined, { cause: err });
}

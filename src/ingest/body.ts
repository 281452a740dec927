import { gunzipSync } from "node:zlib";

/** One event slot of a request: its parsed JSON value, or why its line could not be read. */
export type BodyItem = { index: number; value: unknown } | { index: number; error: string };

/** A body that cannot be read at all: nothing of it is kept. */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
  /** Its entry of the error catalogue (src/http/errors.ts). */
  get catalogueKind(): "bad_request" | "payload_too_large" | "unsupported_media_type" {
    return this.status === 413
      ? "payload_too_large"
      : this.status === 415
        ? "unsupported_media_type"
        : "bad_request";
  }
}

const NDJSON = new Set([
  "application/x-ndjson",
  "application/ndjson",
  "application/jsonl",
  "application/x-jsonlines",
]);
const utf8 = new TextDecoder("utf-8", { fatal: true });

function decompress(raw: Buffer, encoding: string | undefined, maxBytes: number): Buffer {
  const enc = (encoding ?? "identity").trim().toLowerCase();
  if (enc === "identity" || enc === "") return raw;
  if (enc !== "gzip" && enc !== "x-gzip") {
    throw new BodyError(
      400,
      `Content-Encoding "${encoding}" is not accepted: send the body as is or gzip it`,
    );
  }
  try {
    return gunzipSync(raw, { maxOutputLength: maxBytes + 1 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) {
      throw new BodyError(
        413,
        `the body is larger than ${maxBytes} bytes once decompressed: send smaller batches`,
      );
    }
    throw new BodyError(
      400,
      "the body is not valid gzip (Content-Encoding: gzip): compress it whole, or drop the header",
    );
  }
}

/**
 * Decodes a telemetry request body (spec/telemetry-events.md): NDJSON (one event per line; the index of an item is
 * its zero-based line number, blank lines skipped) or a JSON array, optionally gzipped, within the limits.
 * Throws BodyError for a body that cannot be read at all.
 */
export function decodeBody(
  raw: Buffer,
  headers: { contentType: string | undefined; contentEncoding: string | undefined },
  limits: { maxBytes: number; maxEvents: number },
): BodyItem[] {
  const type = (headers.contentType ?? "").split(";")[0]!.trim().toLowerCase();
  const isJson = type === "application/json";
  if (!isJson && !NDJSON.has(type)) {
    throw new BodyError(
      400,
      `Content-Type "${headers.contentType ?? ""}" is not accepted: send application/x-ndjson (one event per line) or application/json (an array of events)`,
    );
  }
  if (raw.length > limits.maxBytes)
    throw new BodyError(413, `the body is larger than ${limits.maxBytes} bytes: send smaller batches`);
  const bytes = decompress(raw, headers.contentEncoding, limits.maxBytes);
  if (bytes.length > limits.maxBytes) {
    throw new BodyError(
      413,
      `the body is larger than ${limits.maxBytes} bytes once decompressed: send smaller batches`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new BodyError(400, "the body is not valid UTF-8: encode events as UTF-8 JSON");
  }
  if (text.trim() === "") throw new BodyError(400, "empty body: send at least one event");
  return isJson ? jsonItems(text, limits.maxEvents) : ndjsonItems(text, limits.maxEvents);
}

function jsonItems(text: string, maxEvents: number): BodyItem[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BodyError(
      400,
      `the body is not valid JSON (${(err as Error).message}): send a JSON array of events`,
    );
  }
  if (!Array.isArray(value)) {
    throw new BodyError(
      400,
      "expected a JSON array of events; for one event per line use Content-Type: application/x-ndjson",
    );
  }
  if (value.length > maxEvents)
    throw new BodyError(413, `${value.length} events in one request; at most ${maxEvents}: split the batch`);
  return value.map((v, index) => ({ index, value: v }));
}

function ndjsonItems(text: string, maxEvents: number): BodyItem[] {
  const items: BodyItem[] = [];
  const lines = text.split("\n");
  let parsed = 0;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === "") continue;
    if (items.length === maxEvents)
      throw new BodyError(413, `more than ${maxEvents} events in one request: split the batch`);
    try {
      items.push({ index, value: JSON.parse(line) });
      parsed++;
    } catch (err) {
      items.push({ index, error: `line is not valid JSON: ${(err as Error).message}` });
    }
  }
  if (parsed === 0) {
    throw new BodyError(400, "no line of the body is valid JSON: send one JSON event per line (NDJSON)");
  }
  return items;
}

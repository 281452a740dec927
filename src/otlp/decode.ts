import { gunzipSync } from "node:zlib";
import type Long from "long";
import {
  type Attrs,
  type AttrValue,
  attrsKey,
  type ItemContext,
  type LogItem,
  type MetricKind,
  type MetricPoint,
  type OtlpBatch,
  type Signal,
  type SpanEventItem,
  type SpanItem,
  type Temporality,
} from "./model.js";
import { PROTO } from "./proto.js";

/** The request's encoding, which the answer uses too. */
export type OtlpEncoding = "protobuf" | "json";

/** A body that cannot be decoded at all: nothing of it is kept. */
export class OtlpDecodeError extends Error {
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

export interface DecodeLimits {
  /** Bytes after decompression. */
  maxBytes: number;
  /** Data points, log records or spans in one request. */
  maxItems: number;
}

/** The encoding named by a Content-Type, or null when it is neither OTLP protobuf nor OTLP/JSON. */
export function encodingOf(contentType: string | undefined): OtlpEncoding | null {
  const t = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (t === "application/x-protobuf" || t === "application/protobuf") return "protobuf";
  if (t === "application/json") return "json";
  return null;
}

function decompress(raw: Buffer, encoding: string | undefined, maxBytes: number): Buffer {
  const enc = (encoding ?? "identity").trim().toLowerCase();
  if (enc === "identity" || enc === "") return raw;
  if (enc !== "gzip" && enc !== "x-gzip")
    throw new OtlpDecodeError(400, `Content-Encoding "${encoding}" is not accepted: send gzip or nothing`);
  try {
    return gunzipSync(raw, { maxOutputLength: maxBytes + 1 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError)
      throw new OtlpDecodeError(
        413,
        `the body is larger than ${maxBytes} bytes once decompressed: export smaller batches`,
      );
    throw new OtlpDecodeError(
      400,
      "the body is not valid gzip (Content-Encoding: gzip): compress it whole, or drop the header",
    );
  }
}

/**
 * Decodes one OTLP/HTTP export request (protobuf or OTLP/JSON, optionally gzipped) into flat items, within the
 * limits. Throws OtlpDecodeError for a body that cannot be read.
 */
export function decodeExport(
  signal: Signal,
  raw: Buffer,
  headers: { contentType: string | undefined; contentEncoding: string | undefined },
  limits: DecodeLimits,
): { encoding: OtlpEncoding; batch: OtlpBatch } {
  const encoding = encodingOf(headers.contentType);
  if (!encoding)
    throw new OtlpDecodeError(
      415,
      `Content-Type "${headers.contentType ?? ""}" is not OTLP: send application/x-protobuf or application/json`,
    );
  const bytes = decompress(raw, headers.contentEncoding, limits.maxBytes);
  if (bytes.length > limits.maxBytes)
    throw new OtlpDecodeError(
      413,
      `the body is larger than ${limits.maxBytes} bytes once decompressed: export smaller batches`,
    );
  let message: unknown;
  if (encoding === "protobuf") {
    const type =
      signal === "metrics"
        ? PROTO.metricsRequest
        : signal === "logs"
          ? PROTO.logsRequest
          : PROTO.traceRequest;
    try {
      message = type.decode(bytes);
    } catch (err) {
      throw new OtlpDecodeError(
        400,
        `the body is not a valid ${type.name} protobuf (${(err as Error).message}): send OTLP protobuf, or application/json for OTLP/JSON`,
      );
    }
  } else {
    try {
      message = JSON.parse(bytes.toString("utf8"));
    } catch (err) {
      throw new OtlpDecodeError(
        400,
        `the body is not valid JSON (${(err as Error).message}): send OTLP/JSON`,
      );
    }
    if (typeof message !== "object" || message === null || Array.isArray(message))
      throw new OtlpDecodeError(
        400,
        'an OTLP/JSON export request is a JSON object such as {"resourceMetrics": […]}',
      );
  }
  const f = new Flattener(limits.maxItems);
  const batch: OtlpBatch =
    signal === "metrics"
      ? { signal, items: f.metrics(message as Loose) }
      : signal === "logs"
        ? { signal, items: f.logs(message as Loose) }
        : { signal, items: f.spans(message as Loose) };
  return { encoding, batch };
}

/** A decoded protobuf message or a parsed OTLP/JSON object: the same camelCase shape, looser value types. */
type Loose = Record<string, unknown>;

function list(v: unknown, path: string): Loose[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OtlpDecodeError(400, `${path} must be an array`);
  return v as Loose[];
}

function obj(v: unknown, path: string): Loose | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "object" || Array.isArray(v)) throw new OtlpDecodeError(400, `${path} must be an object`);
  return v as Loose;
}

function isLong(v: unknown): v is Long {
  return typeof v === "object" && v !== null && "low" in v && "high" in v;
}

/** A 64-bit unsigned time: a Long (protobuf), or a decimal string or number (OTLP/JSON). */
function nanos(v: unknown, path: string): bigint {
  if (v === undefined || v === null || v === "") return 0n;
  if (isLong(v)) return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  if (typeof v === "string" && /^\d{1,20}$/.test(v)) return BigInt(v);
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw new OtlpDecodeError(400, `${path} must be Unix nanoseconds (a decimal string in OTLP/JSON)`);
}

/** A 64-bit integer as a number (counts fit). */
function int64(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (isLong(v)) return v.toNumber();
  if (typeof v === "number" && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === "string" && /^-?\d{1,20}$/.test(v)) return Number(v);
  throw new OtlpDecodeError(400, `${path} must be an integer (a decimal string in OTLP/JSON)`);
}

function double(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
  if (v === "NaN" || v === "Infinity" || v === "-Infinity") return Number(v);
  throw new OtlpDecodeError(400, `${path} must be a number`);
}

function hex(v: unknown): string {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex");
  if (typeof v === "string") return v.toLowerCase();
  return "";
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** AnyValue → a plain value; arrays and maps become their JSON text. */
function anyValue(v: unknown, depth = 0): AttrValue | null {
  const a = v as Loose | null | undefined;
  if (!a || typeof a !== "object") return null;
  if (
    a.stringValue !== undefined &&
    a.stringValue !== null &&
    (a.value === undefined || a.value === "stringValue")
  )
    return String(a.stringValue);
  if (a.boolValue !== undefined && (a.value === undefined || a.value === "boolValue"))
    return a.boolValue === true;
  if (a.intValue !== undefined && (a.value === undefined || a.value === "intValue"))
    return int64(a.intValue, "intValue");
  if (a.doubleValue !== undefined && (a.value === undefined || a.value === "doubleValue"))
    return double(a.doubleValue, "doubleValue");
  if (depth > 8) return null;
  if (a.arrayValue !== undefined && (a.value === undefined || a.value === "arrayValue")) {
    const vals = list((a.arrayValue as Loose | null)?.values, "arrayValue.values");
    return JSON.stringify(vals.map((x) => anyValue(x, depth + 1)));
  }
  if (a.kvlistValue !== undefined && (a.value === undefined || a.value === "kvlistValue")) {
    const o: Record<string, AttrValue | null> = {};
    for (const kv of list((a.kvlistValue as Loose | null)?.values, "kvlistValue.values"))
      o[str(kv.key)] = anyValue(kv.value, depth + 1);
    return JSON.stringify(o);
  }
  if (a.bytesValue !== undefined && (a.value === undefined || a.value === "bytesValue"))
    return hex(a.bytesValue);
  return null;
}

function attributes(v: unknown, path: string): Attrs {
  const out: Attrs = Object.create(null) as Attrs;
  for (const kv of list(v, path)) {
    if (typeof kv !== "object" || kv === null)
      throw new OtlpDecodeError(400, `${path} must hold {key, value} objects`);
    const value = anyValue(kv.value);
    if (value !== null) out[str(kv.key)] = value;
  }
  return out;
}

function temporality(v: unknown): Temporality {
  if (v === 1 || v === "AGGREGATION_TEMPORALITY_DELTA") return 1;
  if (v === 2 || v === "AGGREGATION_TEMPORALITY_CUMULATIVE") return 2;
  return 0;
}

/** The data of a metric (its one set field among sum, gauge, histogram… ), or null for a kind pilotlog skips. */
function dataOf(metric: Loose, mp: string): { kind: MetricKind; data: Loose } | null {
  const kinds = [
    ["sum", "sum"],
    ["gauge", "gauge"],
    ["histogram", "histogram"],
    ["exponentialHistogram", "histogram"],
    ["summary", "summary"],
  ] as const;
  for (const [field, kind] of kinds) {
    const data = obj(metric[field], `${mp}.${field}`);
    if (data) return { kind, data };
  }
  return null;
}

/** Walks resource → scope → item, building one flat record per item and counting them against the limit. */
class Flattener {
  private count = 0;
  constructor(private readonly maxItems: number) {}

  private take(): number {
    if (this.count === this.maxItems)
      throw new OtlpDecodeError(
        413,
        `more than ${this.maxItems} items in one request: export smaller batches`,
      );
    return this.count++;
  }

  private context(resourceAttrs: Attrs, resourceKey: string, scope: Loose | null): ItemContext {
    return {
      resource: resourceAttrs,
      resourceKey,
      scopeName: str(scope?.name),
      scopeVersion: str(scope?.version),
    };
  }

  metrics(m: Loose): MetricPoint[] {
    const out: MetricPoint[] = [];
    for (const [ri, rm] of list(m.resourceMetrics, "resourceMetrics").entries()) {
      const rp = `resourceMetrics[${ri}]`;
      const resource = attributes(
        obj(rm.resource, `${rp}.resource`)?.attributes,
        `${rp}.resource.attributes`,
      );
      const resourceKey = attrsKey(resource);
      for (const [si, sm] of list(rm.scopeMetrics, `${rp}.scopeMetrics`).entries()) {
        const sp = `${rp}.scopeMetrics[${si}]`;
        const ctx = this.context(resource, resourceKey, obj(sm.scope, `${sp}.scope`));
        for (const [mi, metric] of list(sm.metrics, `${sp}.metrics`).entries()) {
          const mp = `${sp}.metrics[${mi}]`;
          const name = str(metric.name);
          const found = dataOf(metric, mp);
          if (!found) continue;
          const { kind, data } = found;
          const temp: Temporality =
            kind === "gauge" ? 0 : kind === "summary" ? 2 : temporality(data.aggregationTemporality);
          const monotonic = kind === "sum" ? data.isMonotonic === true : kind !== "gauge";
          for (const [pi, p] of list(data.dataPoints, `${mp}.dataPoints`).entries()) {
            const pp = `${mp}.dataPoints[${pi}]`;
            const value =
              kind === "sum" || kind === "gauge"
                ? p.asInt !== undefined && p.asInt !== null && (p.value === undefined || p.value === "asInt")
                  ? int64(p.asInt, `${pp}.asInt`)
                  : double(p.asDouble, `${pp}.asDouble`)
                : double(p.sum, `${pp}.sum`);
            out.push({
              index: this.take(),
              ctx,
              metric: name,
              kind,
              temporality: temp,
              monotonic,
              attrs: attributes(p.attributes, `${pp}.attributes`),
              startNs: nanos(p.startTimeUnixNano, `${pp}.startTimeUnixNano`),
              timeNs: nanos(p.timeUnixNano, `${pp}.timeUnixNano`),
              value,
            });
          }
        }
      }
    }
    return out;
  }

  logs(m: Loose): LogItem[] {
    const out: LogItem[] = [];
    for (const [ri, rl] of list(m.resourceLogs, "resourceLogs").entries()) {
      const rp = `resourceLogs[${ri}]`;
      const resource = attributes(
        obj(rl.resource, `${rp}.resource`)?.attributes,
        `${rp}.resource.attributes`,
      );
      const resourceKey = attrsKey(resource);
      for (const [si, sl] of list(rl.scopeLogs, `${rp}.scopeLogs`).entries()) {
        const sp = `${rp}.scopeLogs[${si}]`;
        const ctx = this.context(resource, resourceKey, obj(sl.scope, `${sp}.scope`));
        for (const [li, r] of list(sl.logRecords, `${sp}.logRecords`).entries()) {
          const lp = `${sp}.logRecords[${li}]`;
          const attrs = attributes(r.attributes, `${lp}.attributes`);
          const body = anyValue(r.body);
          const named =
            str(r.eventName) || (typeof attrs["event.name"] === "string" ? attrs["event.name"] : "");
          const time =
            nanos(r.timeUnixNano, `${lp}.timeUnixNano`) ||
            nanos(r.observedTimeUnixNano, `${lp}.observedTimeUnixNano`);
          out.push({
            index: this.take(),
            ctx,
            eventName: named || (typeof body === "string" ? body : ""),
            timeNs: time,
            attrs,
            contentKey: `${named}\u0003${String(body)}\u0003${attrsKey(attrs)}\u0003${hex(r.traceId)}${hex(r.spanId)}`,
          });
        }
      }
    }
    return out;
  }

  spans(m: Loose): SpanItem[] {
    const out: SpanItem[] = [];
    for (const [ri, rs] of list(m.resourceSpans, "resourceSpans").entries()) {
      const rp = `resourceSpans[${ri}]`;
      const resource = attributes(
        obj(rs.resource, `${rp}.resource`)?.attributes,
        `${rp}.resource.attributes`,
      );
      const resourceKey = attrsKey(resource);
      for (const [si, ss] of list(rs.scopeSpans, `${rp}.scopeSpans`).entries()) {
        const sp = `${rp}.scopeSpans[${si}]`;
        const ctx = this.context(resource, resourceKey, obj(ss.scope, `${sp}.scope`));
        for (const [xi, s] of list(ss.spans, `${sp}.spans`).entries()) {
          const xp = `${sp}.spans[${xi}]`;
          const events: SpanEventItem[] = list(s.events, `${xp}.events`).map((e, ei) => ({
            name: str(e.name),
            timeNs: nanos(e.timeUnixNano, `${xp}.events[${ei}].timeUnixNano`),
            attrs: attributes(e.attributes, `${xp}.events[${ei}].attributes`),
          }));
          out.push({
            index: this.take(),
            ctx,
            name: str(s.name),
            traceId: hex(s.traceId),
            spanId: hex(s.spanId),
            parentSpanId: hex(s.parentSpanId),
            startNs: nanos(s.startTimeUnixNano, `${xp}.startTimeUnixNano`),
            endNs: nanos(s.endTimeUnixNano, `${xp}.endTimeUnixNano`),
            attrs: attributes(s.attributes, `${xp}.attributes`),
            events,
          });
        }
      }
    }
    return out;
  }
}

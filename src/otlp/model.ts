/** OTLP items as pilotlog reads them: one flat record per data point, log record or span, whatever the encoding. */

export type AttrValue = string | number | boolean;
/** Attributes by key (arrays and maps are kept as their JSON text, bytes as hex). */
export type Attrs = Record<string, AttrValue>;

/** What every item of one resource and scope shares. */
export interface ItemContext {
  resource: Attrs;
  /** A canonical text of the resource attributes, computed once per resource (part of a series key). */
  resourceKey: string;
  scopeName: string;
  scopeVersion: string;
}

export type MetricKind = "sum" | "gauge" | "histogram" | "summary";

/** OTLP's AggregationTemporality: 0 unspecified, 1 delta, 2 cumulative. */
export type Temporality = 0 | 1 | 2;

export interface MetricPoint {
  /** Zero-based position among the request's data points (for partialSuccess messages). */
  index: number;
  ctx: ItemContext;
  metric: string;
  kind: MetricKind;
  temporality: Temporality;
  monotonic: boolean;
  attrs: Attrs;
  startNs: bigint;
  timeNs: bigint;
  /** The number of a sum or gauge; the sum of a histogram or summary. */
  value: number;
}

export interface LogItem {
  index: number;
  ctx: ItemContext;
  /** `eventName`, else the `event.name` attribute, else a string body (how each tool names its events varies). */
  eventName: string;
  timeNs: bigint;
  attrs: Attrs;
  /** A canonical text of the record's content, for a stable id (same content and time = the same record). */
  contentKey: string;
}

export interface SpanEventItem {
  name: string;
  timeNs: bigint;
  attrs: Attrs;
}

export interface SpanItem {
  index: number;
  ctx: ItemContext;
  name: string;
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  startNs: bigint;
  endNs: bigint;
  attrs: Attrs;
  events: SpanEventItem[];
}

export type Signal = "metrics" | "logs" | "traces";

/** A decoded export request, flattened. */
export type OtlpBatch =
  | { signal: "metrics"; items: MetricPoint[] }
  | { signal: "logs"; items: LogItem[] }
  | { signal: "traces"; items: SpanItem[] };

/** Canonical text of attributes: keys sorted, so the same set always gives the same key. */
export function attrsKey(a: Attrs): string {
  const keys = Object.keys(a).sort();
  let s = "";
  for (const k of keys) s += `${k}\u0001${typeof a[k]}\u0001${String(a[k])}\u0002`;
  return s;
}

/** The UTC day (YYYY-MM-DD) of a Unix time in nanoseconds. */
export function dayOfNs(ns: bigint): string {
  // Items of a request fall on a day or two: the text of each is made once (a Date per item showed in profiles).
  const d = Number(ns / 86_400_000_000_000n);
  let text = DAY_TEXT.get(d);
  if (text === undefined) {
    text = new Date(d * 86_400_000).toISOString().slice(0, 10);
    if (DAY_TEXT.size > 1000) DAY_TEXT.clear();
    DAY_TEXT.set(d, text);
  }
  return text;
}
const DAY_TEXT = new Map<number, string>();

/** RFC 3339 of a Unix time in nanoseconds (millisecond precision). */
export function isoOfNs(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString();
}

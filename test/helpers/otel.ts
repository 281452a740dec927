import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { OTLPLogExporter as LogsHttp } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as LogsProto } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPMetricExporter as MetricsHttp } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as MetricsProto } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter as TraceHttp } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as TraceProto } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";

const HOP = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);

/** One request that went through the recording proxy, and pilotlog's answer to it. */
export interface Recorded {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  status: number;
  response: Buffer;
}

/**
 * A real HTTP proxy between the exporters and pilotlog that records every request and answer, so a test can
 * replay one (a retry, byte for byte) and read the answers the exporters swallow. The target can change (a
 * pilotlog restarted on another port).
 */
export class RecordingProxy {
  readonly recorded: Recorded[] = [];
  private server: Server | null = null;
  url = "";
  constructor(public target: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers))
          if (typeof v === "string" && !HOP.has(k)) headers[k] = v;
        const t = new URL(this.target);
        const out = httpRequest(
          {
            host: t.hostname,
            port: t.port,
            path: req.url,
            method: req.method,
            headers: { ...headers, "content-length": String(body.length) },
          },
          (r) => {
            const rc: Buffer[] = [];
            r.on("data", (c: Buffer) => rc.push(c));
            r.on("end", () => {
              const response = Buffer.concat(rc);
              this.recorded.push({ path: req.url ?? "", headers, body, status: r.statusCode ?? 0, response });
              res.writeHead(r.statusCode ?? 502, r.headers).end(response);
            });
          },
        );
        out.on("error", () => res.writeHead(502).end());
        out.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this.url;
  }

  /** Sends a recorded request again, straight to pilotlog (an exporter's retry). */
  async replay(r: Recorded): Promise<{ status: number; body: Buffer }> {
    const res = await fetch(`${this.target}${r.path}`, {
      method: "POST",
      headers: r.headers,
      body: new Uint8Array(r.body),
    });
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

export type Protocol = "http/protobuf" | "http/json";

/** How a tool configures its OpenTelemetry SDK: service name, resource attributes, protocol, temporality. */
export interface ToolSetup {
  endpoint: string;
  token: string;
  resource: Record<string, string>;
  protocol: Protocol;
  /** Claude Code and Codex default to delta; the SDK's (and Copilot's, Gemini CLI's) default is cumulative. */
  temporality: "delta" | "cumulative";
}

/** A MeterProvider as the tool builds it; `flush()` is one export interval. A new one is an exporter restart. */
export function meterFor(t: ToolSetup) {
  const opts = {
    url: `${t.endpoint}/v1/metrics`,
    headers: { authorization: `Bearer ${t.token}` },
    temporalityPreference:
      t.temporality === "delta" ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE,
  };
  const exporter = t.protocol === "http/protobuf" ? new MetricsProto(opts) : new MetricsHttp(opts);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ resource: resourceFromAttributes(t.resource), readers: [reader] });
  // The tools export every 60 s (Claude Code, Gemini CLI, Copilot) so a point's time is well after its start;
  // a few milliseconds stand for it here (the SDK's times are in milliseconds, and a first point whose start
  // equals its time is a baseline).
  const interval = () => new Promise((resolve) => setTimeout(resolve, 5));
  return {
    provider,
    meter: provider.getMeter(t.resource["service.name"] ?? "tool"),
    flush: async () => {
      await interval();
      await reader.forceFlush();
    },
    shutdown: async () => {
      await interval();
      await provider.shutdown();
    },
  };
}

/** A LoggerProvider as the tool builds it (events are log records with an event name). */
export function loggerFor(t: ToolSetup) {
  const opts = { url: `${t.endpoint}/v1/logs`, headers: { authorization: `Bearer ${t.token}` } };
  const exporter = t.protocol === "http/protobuf" ? new LogsProto(opts) : new LogsHttp(opts);
  const processor = new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 3_600_000 });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes(t.resource),
    processors: [processor],
  });
  return {
    logger: provider.getLogger(t.resource["service.name"] ?? "tool"),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** A TracerProvider as the tool builds it. */
export function tracerFor(t: ToolSetup) {
  const opts = { url: `${t.endpoint}/v1/traces`, headers: { authorization: `Bearer ${t.token}` } };
  const exporter = t.protocol === "http/protobuf" ? new TraceProto(opts) : new TraceHttp(opts);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(t.resource),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 3_600_000 })],
  });
  return {
    tracer: provider.getTracer(t.resource["service.name"] ?? "tool"),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

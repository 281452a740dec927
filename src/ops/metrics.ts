import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Db } from "../db/db.js";
import type { ReplicaStats } from "../db/replica.js";
import type { DayResult } from "../rollup/process.js";

/** Where ingested events came from: the native route today; OTLP and import are meant to join this label. */
export type EventSource = "native";

/** What a process run was started by. */
export type ProcessingTrigger = "scheduler" | "command";

/** Reads the store for the gauges computed at scrape time (days pending). */
export type PendingReader = () => Promise<{ unprocessed: number; dirty: number }>;

/** Counters of a serving cache, read at scrape time. */
export interface CacheStats {
  hits: Record<string, number>;
  misses: Record<string, number>;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const PROCESSING_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The service's Prometheus metrics, in a registry of its own (never prom-client's global one), so two servers in
 * one process, as in the tests, keep separate counts.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"route" | "method" | "status">;
  private readonly latency: Histogram<"route" | "method" | "status">;
  private readonly events: Counter<"source" | "outcome">;
  private readonly processingDays: Counter<"trigger">;
  private readonly processingSeconds: Histogram<"trigger">;
  private readonly processingFailures: Counter<"trigger">;
  private readonly dbErrors: Counter<"kind">;
  private readonly series = new Map<
    string,
    { count: { inc(): void }; latency: { observe(v: number): void } }
  >();

  constructor(
    opts: {
      db?: Db;
      pending?: PendingReader;
      cache?: CacheStats;
      replica?: ReplicaStats;
      defaultMetrics?: boolean;
    } = {},
  ) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: "pilotlog_http_requests_total",
      help: "HTTP requests answered, by route pattern (never the raw URL), method and status",
      labelNames: ["route", "method", "status"],
      registers,
    });
    this.latency = new Histogram({
      name: "pilotlog_http_request_duration_seconds",
      help: "Time from a request's arrival to its answer, by route pattern, method and status",
      labelNames: ["route", "method", "status"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.events = new Counter({
      name: "pilotlog_events_total",
      help: "Telemetry events received, by source and outcome (accepted, duplicate, dropped, rejected)",
      labelNames: ["source", "outcome"],
      registers,
    });
    this.processingDays = new Counter({
      name: "pilotlog_processing_days_total",
      help: "Days processed by this server, by what started the run",
      labelNames: ["trigger"],
      registers,
    });
    this.processingSeconds = new Histogram({
      name: "pilotlog_processing_day_duration_seconds",
      help: "Time to process one day, by what started the run",
      labelNames: ["trigger"],
      buckets: PROCESSING_BUCKETS,
      registers,
    });
    this.processingFailures = new Counter({
      name: "pilotlog_processing_failures_total",
      help: "Processing runs that failed (retried at the next check)",
      labelNames: ["trigger"],
      registers,
    });
    this.dbErrors = new Counter({
      name: "pilotlog_database_errors_total",
      help: "Database errors met while answering or processing: unavailable (503 with Retry-After) or other",
      labelNames: ["kind"],
      registers,
    });
    for (const kind of ["unavailable", "other"]) this.dbErrors.inc({ kind }, 0);
    for (const trigger of ["scheduler", "command"]) {
      this.processingDays.inc({ trigger }, 0);
      this.processingFailures.inc({ trigger }, 0);
    }
    for (const outcome of ["accepted", "duplicate", "dropped", "rejected"])
      this.events.inc({ source: "native", outcome }, 0);

    const pending = opts.pending;
    const dbErrors = this.dbErrors;
    if (pending) {
      new Gauge({
        name: "pilotlog_days_pending",
        help: "Closed days of the window waiting for processing: never processed, or changed since (dirty)",
        labelNames: ["reason"],
        registers,
        async collect() {
          try {
            const p = await pending();
            this.set({ reason: "unprocessed" }, p.unprocessed);
            this.set({ reason: "dirty" }, p.dirty);
          } catch {
            // The scrape still answers; the gauge keeps its last value and the error is counted.
            dbErrors.inc({ kind: "unavailable" });
          }
        },
      });
    }
    const db = opts.db;
    if (db?.poolStats) {
      const stats = db.poolStats.bind(db);
      new Gauge({
        name: "pilotlog_database_connections",
        help: "Connections of the PostgreSQL pool: open in total, idle, and requests waiting for one",
        labelNames: ["state"],
        registers,
        collect() {
          const s = stats();
          this.set({ state: "total" }, s.total);
          this.set({ state: "idle" }, s.idle);
          this.set({ state: "waiting" }, s.waiting);
        },
      });
    }
    const cache = opts.cache;
    if (cache) {
      const read = (kind: "hits" | "misses", counter: Counter<"cache">) => {
        counter.reset();
        for (const [name, n] of Object.entries(cache[kind])) counter.inc({ cache: name }, n);
      };
      new Counter({
        name: "pilotlog_answer_cache_hits_total",
        help: "Serving cache lookups answered from memory, by cache (answer, principal, scope)",
        labelNames: ["cache"],
        registers,
        collect() {
          read("hits", this);
        },
      });
      new Counter({
        name: "pilotlog_answer_cache_misses_total",
        help: "Serving cache lookups that read the database, by cache (answer, principal, scope)",
        labelNames: ["cache"],
        registers,
        collect() {
          read("misses", this);
        },
      });
    }
    const replica = opts.replica;
    if (replica) {
      new Counter({
        name: "pilotlog_replica_reads_total",
        help: "Lag-tolerant reads, by where they ran: the replica (caught up) or the primary (replica behind or away)",
        labelNames: ["served_by"],
        registers,
        collect() {
          this.reset();
          this.inc({ served_by: "replica" }, replica.replica);
          this.inc({ served_by: "primary" }, replica.primary);
        },
      });
    }
    if (opts.defaultMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: "pilotlog_" });
  }

  /** One answered request; `route` is the route's pattern. */
  request(route: string, method: string, status: number, seconds: number): void {
    // One pair of labelled children per route, method and status: no label hashing on the request path.
    const key = `${route} ${method} ${status}`;
    let series = this.series.get(key);
    if (!series) {
      const labels = { route, method, status: String(status) };
      series = { count: this.requests.labels(labels), latency: this.latency.labels(labels) };
      this.series.set(key, series);
    }
    series.count.inc();
    series.latency.observe(seconds);
  }

  /** The outcome of one ingestion request's events. */
  ingested(
    source: EventSource,
    r: { accepted: number; duplicates: number; dropped: number; rejected: number },
  ): void {
    this.events.inc({ source, outcome: "accepted" }, r.accepted);
    this.events.inc({ source, outcome: "duplicate" }, r.duplicates);
    this.events.inc({ source, outcome: "dropped" }, r.dropped);
    this.events.inc({ source, outcome: "rejected" }, r.rejected);
  }

  /** One day processed. */
  processed(r: DayResult, trigger: ProcessingTrigger): void {
    this.processingDays.inc({ trigger });
    this.processingSeconds.observe({ trigger }, r.ms / 1000);
  }

  /** A processing run that failed. */
  processingFailed(trigger: ProcessingTrigger): void {
    this.processingFailures.inc({ trigger });
  }

  /** A database error met while answering a request or processing. */
  databaseError(kind: "unavailable" | "other"): void {
    this.dbErrors.inc({ kind });
  }

  /** The exposition text (Prometheus text format 0.0.4) and its content type. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}

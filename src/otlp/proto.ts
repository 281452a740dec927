import protobuf from "protobufjs";

/**
 * The OTLP messages pilotlog reads and writes, written here from the field names and numbers of the OTLP
 * specification (opentelemetry-proto v1: common, resource, metrics, logs, trace, collector services). Only what
 * pilotlog needs is declared: protobuf skips unknown fields, so exemplars, links, bucket counts and the like are
 * left out and cost nothing to decode.
 */
const kv = { rule: "repeated", type: "KeyValue" } as const;
const DESCRIPTOR = {
  nested: {
    otlp: {
      nested: {
        AnyValue: {
          oneofs: {
            value: {
              oneof: [
                "stringValue",
                "boolValue",
                "intValue",
                "doubleValue",
                "arrayValue",
                "kvlistValue",
                "bytesValue",
              ],
            },
          },
          fields: {
            stringValue: { type: "string", id: 1 },
            boolValue: { type: "bool", id: 2 },
            intValue: { type: "int64", id: 3 },
            doubleValue: { type: "double", id: 4 },
            arrayValue: { type: "ArrayValue", id: 5 },
            kvlistValue: { type: "KeyValueList", id: 6 },
            bytesValue: { type: "bytes", id: 7 },
          },
        },
        ArrayValue: { fields: { values: { rule: "repeated", type: "AnyValue", id: 1 } } },
        KeyValueList: { fields: { values: { ...kv, id: 1 } } },
        KeyValue: { fields: { key: { type: "string", id: 1 }, value: { type: "AnyValue", id: 2 } } },
        InstrumentationScope: {
          fields: {
            name: { type: "string", id: 1 },
            version: { type: "string", id: 2 },
            attributes: { ...kv, id: 3 },
          },
        },
        Resource: { fields: { attributes: { ...kv, id: 1 } } },

        // metrics.proto
        ExportMetricsServiceRequest: {
          fields: { resourceMetrics: { rule: "repeated", type: "ResourceMetrics", id: 1 } },
        },
        ResourceMetrics: {
          fields: {
            resource: { type: "Resource", id: 1 },
            scopeMetrics: { rule: "repeated", type: "ScopeMetrics", id: 2 },
          },
        },
        ScopeMetrics: {
          fields: {
            scope: { type: "InstrumentationScope", id: 1 },
            metrics: { rule: "repeated", type: "Metric", id: 2 },
          },
        },
        Metric: {
          oneofs: { data: { oneof: ["gauge", "sum", "histogram", "exponentialHistogram", "summary"] } },
          fields: {
            name: { type: "string", id: 1 },
            gauge: { type: "Gauge", id: 5 },
            sum: { type: "Sum", id: 7 },
            histogram: { type: "Histogram", id: 9 },
            exponentialHistogram: { type: "ExponentialHistogram", id: 10 },
            summary: { type: "Summary", id: 11 },
          },
        },
        Gauge: { fields: { dataPoints: { rule: "repeated", type: "NumberDataPoint", id: 1 } } },
        Sum: {
          fields: {
            dataPoints: { rule: "repeated", type: "NumberDataPoint", id: 1 },
            aggregationTemporality: { type: "int32", id: 2 },
            isMonotonic: { type: "bool", id: 3 },
          },
        },
        Histogram: {
          fields: {
            dataPoints: { rule: "repeated", type: "HistogramDataPoint", id: 1 },
            aggregationTemporality: { type: "int32", id: 2 },
          },
        },
        ExponentialHistogram: {
          fields: {
            dataPoints: { rule: "repeated", type: "ExponentialHistogramDataPoint", id: 1 },
            aggregationTemporality: { type: "int32", id: 2 },
          },
        },
        Summary: { fields: { dataPoints: { rule: "repeated", type: "SummaryDataPoint", id: 1 } } },
        NumberDataPoint: {
          oneofs: { value: { oneof: ["asDouble", "asInt"] } },
          fields: {
            attributes: { ...kv, id: 7 },
            startTimeUnixNano: { type: "fixed64", id: 2 },
            timeUnixNano: { type: "fixed64", id: 3 },
            asDouble: { type: "double", id: 4 },
            asInt: { type: "sfixed64", id: 6 },
          },
        },
        HistogramDataPoint: {
          fields: {
            attributes: { ...kv, id: 9 },
            startTimeUnixNano: { type: "fixed64", id: 2 },
            timeUnixNano: { type: "fixed64", id: 3 },
            count: { type: "fixed64", id: 4 },
            sum: { type: "double", id: 5 },
          },
        },
        ExponentialHistogramDataPoint: {
          fields: {
            attributes: { ...kv, id: 1 },
            startTimeUnixNano: { type: "fixed64", id: 2 },
            timeUnixNano: { type: "fixed64", id: 3 },
            count: { type: "fixed64", id: 4 },
            sum: { type: "double", id: 5 },
          },
        },
        SummaryDataPoint: {
          fields: {
            attributes: { ...kv, id: 7 },
            startTimeUnixNano: { type: "fixed64", id: 2 },
            timeUnixNano: { type: "fixed64", id: 3 },
            count: { type: "fixed64", id: 4 },
            sum: { type: "double", id: 5 },
          },
        },
        ExportMetricsServiceResponse: {
          fields: { partialSuccess: { type: "ExportMetricsPartialSuccess", id: 1 } },
        },
        ExportMetricsPartialSuccess: {
          fields: { rejectedDataPoints: { type: "int64", id: 1 }, errorMessage: { type: "string", id: 2 } },
        },

        // logs.proto
        ExportLogsServiceRequest: {
          fields: { resourceLogs: { rule: "repeated", type: "ResourceLogs", id: 1 } },
        },
        ResourceLogs: {
          fields: {
            resource: { type: "Resource", id: 1 },
            scopeLogs: { rule: "repeated", type: "ScopeLogs", id: 2 },
          },
        },
        ScopeLogs: {
          fields: {
            scope: { type: "InstrumentationScope", id: 1 },
            logRecords: { rule: "repeated", type: "LogRecord", id: 2 },
          },
        },
        LogRecord: {
          fields: {
            timeUnixNano: { type: "fixed64", id: 1 },
            observedTimeUnixNano: { type: "fixed64", id: 11 },
            severityNumber: { type: "int32", id: 2 },
            severityText: { type: "string", id: 3 },
            body: { type: "AnyValue", id: 5 },
            attributes: { ...kv, id: 6 },
            traceId: { type: "bytes", id: 9 },
            spanId: { type: "bytes", id: 10 },
            eventName: { type: "string", id: 12 },
          },
        },
        ExportLogsServiceResponse: {
          fields: { partialSuccess: { type: "ExportLogsPartialSuccess", id: 1 } },
        },
        ExportLogsPartialSuccess: {
          fields: { rejectedLogRecords: { type: "int64", id: 1 }, errorMessage: { type: "string", id: 2 } },
        },

        // trace.proto
        ExportTraceServiceRequest: {
          fields: { resourceSpans: { rule: "repeated", type: "ResourceSpans", id: 1 } },
        },
        ResourceSpans: {
          fields: {
            resource: { type: "Resource", id: 1 },
            scopeSpans: { rule: "repeated", type: "ScopeSpans", id: 2 },
          },
        },
        ScopeSpans: {
          fields: {
            scope: { type: "InstrumentationScope", id: 1 },
            spans: { rule: "repeated", type: "Span", id: 2 },
          },
        },
        Span: {
          fields: {
            traceId: { type: "bytes", id: 1 },
            spanId: { type: "bytes", id: 2 },
            parentSpanId: { type: "bytes", id: 4 },
            name: { type: "string", id: 5 },
            startTimeUnixNano: { type: "fixed64", id: 7 },
            endTimeUnixNano: { type: "fixed64", id: 8 },
            attributes: { ...kv, id: 9 },
            events: { rule: "repeated", type: "SpanEvent", id: 11 },
          },
        },
        SpanEvent: {
          fields: {
            timeUnixNano: { type: "fixed64", id: 1 },
            name: { type: "string", id: 2 },
            attributes: { ...kv, id: 3 },
          },
        },
        ExportTraceServiceResponse: {
          fields: { partialSuccess: { type: "ExportTracePartialSuccess", id: 1 } },
        },
        ExportTracePartialSuccess: {
          fields: { rejectedSpans: { type: "int64", id: 1 }, errorMessage: { type: "string", id: 2 } },
        },

        // google.rpc.Status, the body of an OTLP error answer
        Status: { fields: { code: { type: "int32", id: 1 }, message: { type: "string", id: 2 } } },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(DESCRIPTOR);

/** The message types, looked up once. */
export const PROTO = {
  metricsRequest: root.lookupType("otlp.ExportMetricsServiceRequest"),
  logsRequest: root.lookupType("otlp.ExportLogsServiceRequest"),
  traceRequest: root.lookupType("otlp.ExportTraceServiceRequest"),
  metricsResponse: root.lookupType("otlp.ExportMetricsServiceResponse"),
  logsResponse: root.lookupType("otlp.ExportLogsServiceResponse"),
  traceResponse: root.lookupType("otlp.ExportTraceServiceResponse"),
  status: root.lookupType("otlp.Status"),
};

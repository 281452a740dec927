/**
 * The shapes the dashboard reads, declared once by the server (types only, so nothing of the server is bundled):
 * the usage-metrics report files and link answers (src/reports/shapes.ts, spec docs/usage-metrics-reports.md)
 * and the OpenTelemetry usage rows of `GET /telemetry/v1/usage` (src/otlp/usage-shapes.ts).
 */

export type { UsageAnswer, UsageRow } from "../../src/otlp/usage-shapes.js";
export type {
  CliTotals,
  FeatureTotals,
  ModelFeatureTotals,
  ReportCounters,
  ReportLinks,
  ReportLinks1Day,
  ReportLinks28Day,
  ThirdPartyAgentTotals,
  UserDayRecord,
  UserTeamRow,
} from "../../src/reports/shapes.js";

/**
 * The usage-metrics report shapes the dashboard reads (spec: docs/usage-metrics-reports.md; written by
 * src/reports/record.ts and src/reports/routes.ts), and the OpenTelemetry usage rows of
 * `GET /telemetry/v1/usage` (src/otlp/usage-store.ts). Declared here, types only, for the fields the dashboard
 * uses; records carry more.
 */

/** The seven counters of a record and of each `totals_by_*` entry (entries of language arrays lack the first). */
export interface ReportCounters {
  user_initiated_interaction_count?: number;
  code_generation_activity_count: number;
  code_acceptance_activity_count: number;
  loc_suggested_to_add_sum: number;
  loc_suggested_to_delete_sum: number;
  loc_added_sum: number;
  loc_deleted_sum: number;
}

export interface FeatureTotals extends ReportCounters {
  feature: string;
}

export interface ModelFeatureTotals extends ReportCounters {
  model: string;
  feature: string;
}

export interface CliTotals {
  session_count: number;
  request_count: number;
  prompt_count: number;
  token_usage: { output_tokens_sum: number; prompt_tokens_sum: number; avg_tokens_per_request: number };
  last_known_cli_version?: { cli_version: string; sampled_at: string };
}

export interface ThirdPartyAgentTotals {
  agent_id: string;
  agent_name: string;
  user_initiated_interaction_count: number;
  session_count: number;
}

/** One line of a `users-1-day` / `users-28-day` file: one user's day in one scope. */
export interface UserDayRecord extends ReportCounters {
  day: string;
  user_id: number;
  user_login: string;
  organization_id?: string;
  enterprise_id?: string;
  user_initiated_interaction_count: number;
  used_chat: boolean;
  used_agent: boolean;
  used_cli: boolean;
  totals_by_ide: (ReportCounters & { ide: string })[];
  totals_by_feature: FeatureTotals[];
  totals_by_model_feature: ModelFeatureTotals[];
  totals_by_cli?: CliTotals;
  totals_by_3rd_party_agent: ThirdPartyAgentTotals[];
}

/** One line of a `user-teams-1-day` file. */
export interface UserTeamRow {
  user_login: string;
  day: string;
  slug: string;
}

/** The answer of a report route: signed links to the files, and the days they cover. */
export interface ReportLinks {
  download_links: string[];
  report_day?: string;
  report_start_day?: string;
  report_end_day?: string;
}

/** `GET /telemetry/v1/usage`, declared by the route (src/otlp/usage-shapes.ts). */
export type { UsageAnswer, UsageRow } from "../../src/otlp/usage-shapes.js";

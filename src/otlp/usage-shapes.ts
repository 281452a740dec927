/**
 * The answer of `GET /telemetry/v1/usage`, declared once: the route writes it and the dashboard reads it
 * (types only, so nothing of the server is bundled into the dashboard).
 */

/** One row: what a tool reported over OpenTelemetry for a user, day and model. */
export interface UsageRow {
  day: string;
  user: string;
  tool: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_tokens: number;
  other_tokens: number;
  cost_usd: number;
  lines_added: number;
  lines_deleted: number;
}

/** The whole answer. */
export interface UsageAnswer {
  since: string;
  until: string;
  usage: UsageRow[];
}

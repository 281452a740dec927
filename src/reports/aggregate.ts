import { sumsText, type Totals } from "./record.js";

/** The distinct-user counts of an aggregate day record (usage-metrics-reports.md, "The aggregate day record"). */
export interface ActiveCounts {
  daily: number;
  weekly: number;
  monthly: number;
  monthlyChat: number;
  monthlyAgent: number;
  dailyCli: number;
}

export const ZERO_COUNTS: ActiveCounts = {
  daily: 0,
  weekly: 0,
  monthly: 0,
  monthlyChat: 0,
  monthlyAgent: 0,
  dailyCli: 0,
};

/** The summed part of an aggregate (counters and arrays, no version sub-objects), as JSON object text. */
export function sumsJson(t: Totals): string {
  return sumsText(t);
}

/** `organization_id` for `org:ID`, `enterprise_id` for `ent:ID`. */
export function scopeIdField(scope: string): { field: "organization_id" | "enterprise_id"; id: string } {
  const [kind, id] = scope.split(":") as [string, string];
  return { field: kind === "ent" ? "enterprise_id" : "organization_id", id };
}

/** The aggregate day record: its day, scope id and counts, then the stored sums. */
export function aggregateBody(day: string, scope: string, c: ActiveCounts, sums: string): string {
  const { field, id } = scopeIdField(scope);
  const head: Record<string, unknown> = {
    day,
    [field]: id,
    daily_active_users: c.daily,
    weekly_active_users: c.weekly,
    monthly_active_users: c.monthly,
    monthly_active_chat_users: c.monthlyChat,
    monthly_active_agent_users: c.monthlyAgent,
  };
  if (c.dailyCli > 0) head.daily_active_cli_users = c.dailyCli;
  const h = JSON.stringify(head);
  return `${h.slice(0, -1)},${sums.slice(1)}`;
}

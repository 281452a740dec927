import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

/**
 * The shape of an imported user-day record (spec/usage-reports-import.md): what import needs is checked, everything
 * else passes through. Unknown keys are never an error (GitHub adds fields every few months); a counter must be a
 * non-negative integer wherever it appears.
 */

/** The six counters of language rows, the seven of the others. */
const COUNTERS = [
  "user_initiated_interaction_count",
  "code_generation_activity_count",
  "code_acceptance_activity_count",
  "loc_suggested_to_add_sum",
  "loc_suggested_to_delete_sum",
  "loc_added_sum",
  "loc_deleted_sum",
] as const;

export type CounterName = (typeof COUNTERS)[number];
export const COUNTER_NAMES: readonly CounterName[] = COUNTERS;

/** One row of a `totals_by_*` array: its key fields and counters (missing = 0). */
export type CounterRow = Partial<Record<CounterName, number>> & {
  ide?: string;
  feature?: string;
  language?: string;
  model?: string;
};

export interface ImportedCli {
  session_count?: number;
  request_count?: number;
  prompt_count?: number;
  token_usage?: { output_tokens_sum?: number; prompt_tokens_sum?: number };
}

/** The fields of a user-day record that import reads. */
export interface ImportedRecord extends Partial<Record<CounterName, number>> {
  user_login: string;
  day: string;
  user_id?: number | string;
  organization_id?: string | number;
  enterprise_id?: string | number;
  totals_by_ide?: CounterRow[];
  totals_by_feature?: CounterRow[];
  totals_by_language_feature?: CounterRow[];
  totals_by_model_feature?: CounterRow[];
  totals_by_cli?: ImportedCli | null;
  totals_by_3rd_party_agent?: {
    agent_id?: string;
    user_initiated_interaction_count?: number;
    session_count?: number;
  }[];
}

/** A user-teams-1-day row. */
export interface TeamRow {
  user_login: string;
  day: string;
  organization_id?: string | number;
  enterprise_id?: string | number;
  team_id?: string | number;
  slug: string;
}

const count = { type: "integer", minimum: 0 } as const;
const counters = Object.fromEntries(COUNTERS.map((c) => [c, count]));
const row = (keys: string[]) => ({
  type: "object",
  properties: { ...counters, ...Object.fromEntries(keys.map((k) => [k, { type: "string" }])) },
});
const id = { type: ["string", "integer"] } as const;
const day = { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" } as const;
const login = { type: "string", minLength: 1, maxLength: 255 } as const;

const RECORD_SCHEMA = {
  type: "object",
  required: ["user_login", "day"],
  properties: {
    user_login: login,
    day,
    user_id: id,
    organization_id: id,
    enterprise_id: id,
    ...counters,
    totals_by_ide: { type: "array", items: row(["ide"]) },
    totals_by_feature: { type: "array", items: row(["feature"]) },
    totals_by_language_feature: { type: "array", items: row(["language", "feature"]) },
    totals_by_language_model: { type: "array", items: row(["language", "model"]) },
    totals_by_model_feature: { type: "array", items: row(["model", "feature"]) },
    totals_by_cli: {
      type: ["object", "null"],
      properties: {
        session_count: count,
        request_count: count,
        prompt_count: count,
        token_usage: {
          type: "object",
          properties: {
            output_tokens_sum: count,
            prompt_tokens_sum: count,
            avg_tokens_per_request: { type: "number" },
          },
        },
      },
    },
    totals_by_3rd_party_agent: {
      type: "array",
      items: {
        type: "object",
        properties: {
          agent_id: { type: "string" },
          user_initiated_interaction_count: count,
          session_count: count,
        },
      },
    },
  },
};

const TEAM_SCHEMA = {
  type: "object",
  required: ["user_login", "day", "slug"],
  properties: {
    user_login: login,
    day,
    slug: { type: "string", minLength: 1 },
    team_id: id,
    organization_id: id,
    enterprise_id: id,
  },
};

const ajv = new Ajv({ allErrors: false, strict: false });
const validateRecord: ValidateFunction = ajv.compile(RECORD_SCHEMA);
const validateTeam: ValidateFunction = ajv.compile(TEAM_SCHEMA);

/** "field: reason" for the first schema error, with the field as a dotted path (`totals_by_ide[0].loc_added_sum`). */
function describe(errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  if (!e) return "not a valid record";
  const path = e.instancePath
    .split("/")
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join("")
    .replace(/^\./, "");
  if (e.keyword === "required") {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return `${path ? `${path}.` : ""}${missing}: missing (every record needs user_login and day)`;
  }
  if (e.keyword === "minimum") return `${path}: is negative (counts are 0 or more)`;
  if (e.keyword === "type" && (e.params as { type: string | string[] }).type === "integer")
    return `${path}: must be a whole number`;
  if (e.keyword === "pattern") return `${path}: must be a day YYYY-MM-DD`;
  return `${path || "record"}: ${e.message ?? "is not valid"}`;
}

/** Checks a parsed user-day record: null when it can be imported, else "field: reason". */
export function checkRecord(value: unknown): string | null {
  if (validateRecord(value)) return checkDay((value as ImportedRecord).day);
  return describe(validateRecord.errors);
}

/** Checks a parsed user-teams row: null when it can be imported, else "field: reason". */
export function checkTeamRow(value: unknown): string | null {
  if (validateTeam(value)) return checkDay((value as TeamRow).day);
  return describe(validateTeam.errors);
}

/** A real calendar day (the pattern has checked YYYY-MM-DD), by arithmetic: no Date per record. */
function checkDay(d: string): string | null {
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(5, 7));
  const day = Number(d.slice(8, 10));
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const last = m === 2 ? (leap ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  return m >= 1 && m <= 12 && day >= 1 && day <= last ? null : "day: is not a calendar day";
}

/** Keys of a user-day record this version reads or knows to pass through; others are reported, never refused. */
export const KNOWN_KEYS: ReadonlySet<string> = new Set([
  ...Object.keys(RECORD_SCHEMA.properties),
  "report_start_day",
  "report_end_day",
  "used_agent",
  "used_chat",
  "used_cli",
  "totals_by_copilot_app",
  "etl_id",
  "day_partition",
  "entity_id_partition",
]);

/** Feature values the spec names; others are kept and reported, not counted into the legacy documents. */
export const KNOWN_FEATURES: ReadonlySet<string> = new Set([
  "code_completion",
  "chat_inline",
  "chat_panel_ask_mode",
  "chat_panel_edit_mode",
  "chat_panel_agent_mode",
  "chat_panel_plan_mode",
  "chat_panel_custom_mode",
  "chat_panel_unknown_mode",
  "agent_edit",
  "copilot_cli",
  "copilot_app",
]);

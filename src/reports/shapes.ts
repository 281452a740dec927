/**
 * The wire shapes of the usage-metrics report files and link answers (docs/usage-metrics-reports.md), declared once:
 * each TypeBox schema gives the type the dashboard reads (`web/src/report-types.ts` re-exports the types, so
 * nothing of the server is bundled) and the strict check `test/reports-demo.test.ts` runs over every record the
 * demo world's files hold, so the serializer (`record.ts`, hand-written for speed) cannot drift from it.
 * `additionalProperties: false` everywhere: a misspelled or unlisted field fails that check.
 */
import { type Static, type TSchema, Type } from "typebox";

const Count = Type.Integer({ minimum: 0 });
const Day = Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$" });
/** An instant in UTC with milliseconds, as `sampled_at` and `created_at` carry it. */
const Instant = Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$" });
/** A scope's numeric id, as a string (GitHub writes them so). */
const ScopeId = Type.String({ pattern: "^[0-9]+$" });

const strict = <T extends Record<string, TSchema>>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

/** The six counters of every `totals_by_*` entry (language rows carry only these). */
const counters6 = {
  code_generation_activity_count: Count,
  code_acceptance_activity_count: Count,
  loc_suggested_to_add_sum: Count,
  loc_suggested_to_delete_sum: Count,
  loc_added_sum: Count,
  loc_deleted_sum: Count,
};
/** The seven counters of a record and of its ide, feature and model-feature entries. */
const counters7 = { user_initiated_interaction_count: Count, ...counters6 };

export const ReportCounters = Type.Object(counters7);
export type ReportCounters = Static<typeof ReportCounters>;

const IdeVersion = strict({ ide_version: Type.String(), sampled_at: Instant });
const PluginVersion = strict({
  plugin: Type.String(),
  plugin_version: Type.Optional(Type.String()),
  sampled_at: Instant,
});

export const IdeTotals = strict({
  ide: Type.String(),
  ...counters7,
  last_known_ide_version: Type.Optional(IdeVersion),
  last_known_plugin_version: Type.Optional(PluginVersion),
});
export const FeatureTotals = strict({ feature: Type.String(), ...counters7 });
export type FeatureTotals = Static<typeof FeatureTotals>;
export const LanguageFeatureTotals = strict({
  language: Type.String(),
  feature: Type.String(),
  ...counters6,
});
export const LanguageModelTotals = strict({ language: Type.String(), model: Type.String(), ...counters6 });
export const ModelFeatureTotals = strict({ model: Type.String(), feature: Type.String(), ...counters7 });
export type ModelFeatureTotals = Static<typeof ModelFeatureTotals>;

const cliCounts = {
  session_count: Count,
  request_count: Count,
  prompt_count: Count,
  token_usage: strict({
    output_tokens_sum: Count,
    prompt_tokens_sum: Count,
    avg_tokens_per_request: Type.Number({ minimum: 0 }),
  }),
};
export const CliTotals = strict({
  ...cliCounts,
  last_known_cli_version: Type.Optional(strict({ cli_version: Type.String(), sampled_at: Instant })),
});
export type CliTotals = Static<typeof CliTotals>;

export const ThirdPartyAgentTotals = strict({
  agent_id: Type.String(),
  agent_name: Type.String(),
  user_initiated_interaction_count: Count,
  session_count: Count,
});
export type ThirdPartyAgentTotals = Static<typeof ThirdPartyAgentTotals>;

/** The arrays a user record and an aggregate share (an aggregate's carry no version sub-objects). */
const totals = <I extends TSchema, C extends TSchema>(ide: I, cli: C) => ({
  totals_by_ide: Type.Array(ide),
  totals_by_feature: Type.Array(FeatureTotals),
  totals_by_language_feature: Type.Array(LanguageFeatureTotals),
  totals_by_language_model: Type.Array(LanguageModelTotals),
  totals_by_model_feature: Type.Array(ModelFeatureTotals),
  totals_by_cli: Type.Optional(cli),
  totals_by_3rd_party_agent: Type.Array(ThirdPartyAgentTotals),
});

/** One line of a `users-1-day` / `users-28-day` file: one user's day in one scope. */
export const UserDayRecord = strict({
  day: Day,
  organization_id: Type.Optional(ScopeId),
  enterprise_id: Type.Optional(ScopeId),
  user_id: Type.Integer({ minimum: 1 }),
  user_login: Type.String({ minLength: 1 }),
  /** Only in 28-day files. */
  report_start_day: Type.Optional(Day),
  report_end_day: Type.Optional(Day),
  ...counters7,
  used_agent: Type.Boolean(),
  used_chat: Type.Boolean(),
  used_cli: Type.Boolean(),
  ...totals(IdeTotals, CliTotals),
});
export type UserDayRecord = Static<typeof UserDayRecord>;

/** The aggregate of a scope's day: `organization-1-day` / `enterprise-1-day`, and each `day_totals[]` entry. */
export const AggregateDayRecord = strict({
  day: Day,
  organization_id: Type.Optional(ScopeId),
  enterprise_id: Type.Optional(ScopeId),
  daily_active_users: Count,
  weekly_active_users: Count,
  monthly_active_users: Count,
  monthly_active_chat_users: Count,
  monthly_active_agent_users: Count,
  daily_active_cli_users: Type.Optional(Type.Integer({ minimum: 1 })),
  ...counters7,
  ...totals(strict({ ide: Type.String(), ...counters7 }), strict(cliCounts)),
});
export type AggregateDayRecord = Static<typeof AggregateDayRecord>;

/** The `organization-28-day` / `enterprise-28-day` file. */
export const Aggregate28DayFile = strict({
  report_start_day: Day,
  report_end_day: Day,
  organization_id: Type.Optional(ScopeId),
  enterprise_id: Type.Optional(ScopeId),
  created_at: Instant,
  day_totals: Type.Array(AggregateDayRecord),
});
export type Aggregate28DayFile = Static<typeof Aggregate28DayFile>;

/** One line of a `user-teams-1-day` file. */
export const UserTeamRow = strict({
  user_id: Type.Integer({ minimum: 1 }),
  user_login: Type.String({ minLength: 1 }),
  day: Day,
  organization_id: Type.Optional(ScopeId),
  enterprise_id: Type.Optional(ScopeId),
  team_id: Type.Integer({ minimum: 1 }),
  slug: Type.String({ minLength: 1 }),
});
export type UserTeamRow = Static<typeof UserTeamRow>;

/**
 * The answer of a report route: signed links to the files and the days they cover (GitHub's
 * `copilot-usage-metrics-1-day-report` with `report_day`, `…-28-day-report` with the start and end days;
 * `shapes.test.ts` holds these to @octokit/openapi-types).
 */
export const ReportLinks1Day = strict({ download_links: Type.Array(Type.String()), report_day: Day });
export const ReportLinks28Day = strict({
  download_links: Type.Array(Type.String()),
  report_start_day: Day,
  report_end_day: Day,
});
export type ReportLinks1Day = Static<typeof ReportLinks1Day>;
export type ReportLinks28Day = Static<typeof ReportLinks28Day>;
export type ReportLinks = ReportLinks1Day | ReportLinks28Day;

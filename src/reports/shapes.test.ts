import type { components } from "@octokit/openapi-types";
import { describe, expect, expectTypeOf, it } from "vitest";
import { compile } from "../schemas/ajv.js";
import type { ReportLinks1Day, ReportLinks28Day } from "./shapes.js";
import { UserDayRecord } from "./shapes.js";

type GitHub1Day = components["schemas"]["copilot-usage-metrics-1-day-report"];
type GitHub28Day = components["schemas"]["copilot-usage-metrics-28-day-report"];

describe("report shapes declared once", () => {
  it("declares the link answers exactly as GitHub's current description (@octokit/openapi-types)", () => {
    expectTypeOf<ReportLinks1Day>().toEqualTypeOf<GitHub1Day>();
    expectTypeOf<ReportLinks28Day>().toEqualTypeOf<GitHub28Day>();
  });

  it("refuses a record with a field the contract does not name, so the serializer cannot drift", () => {
    const check = compile(UserDayRecord);
    const record = {
      day: "2026-11-19",
      organization_id: "1",
      user_id: 7,
      user_login: "mona",
      user_initiated_interaction_count: 1,
      code_generation_activity_count: 0,
      code_acceptance_activity_count: 0,
      loc_suggested_to_add_sum: 0,
      loc_suggested_to_delete_sum: 0,
      loc_added_sum: 0,
      loc_deleted_sum: 0,
      used_agent: false,
      used_chat: true,
      used_cli: false,
      totals_by_ide: [],
      totals_by_feature: [],
      totals_by_language_feature: [],
      totals_by_language_model: [],
      totals_by_model_feature: [],
      totals_by_3rd_party_agent: [],
    };
    expect(check(record)).toBe(true);
    expect(check({ ...record, totals_by_ides: [] })).toBe(false);
    expect(check({ ...record, loc_added_sum: -1 })).toBe(false);
    const { used_cli: _, ...missing } = record;
    expect(check(missing)).toBe(false);
  });
});

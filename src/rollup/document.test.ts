import type { components as current } from "@octokit/openapi-types";
import type { components as legacy } from "@octokit/openapi-types-legacy-metrics";
import { describe, expectTypeOf, it } from "vitest";
import type { CopilotBilling } from "../api/companion/shapes.js";
import type { DayDocument } from "./document.js";

/**
 * The response shapes pilotlog declares once (server and dashboard import them) against GitHub's own description
 * of them. The checks are types: `tsc` (npm run check) fails when a shape stops being one of GitHub's or names a
 * field GitHub's does not; the test run only reports them. The legacy metrics day comes from
 * @octokit/openapi-types 28.0.0 (installed as @octokit/openapi-types-legacy-metrics), the last release whose
 * description still has the metrics routes GitHub closed on 2026-04-02; the billing summary from the current one.
 */

/** T without its index signatures (GitHub's types allow any extra key, which would hide a misspelled field). */
type Known<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/** The paths of fields `A` has that `B` (GitHub's) does not, at any depth; `never` when there are none. */
type ExtraFields<A, B, At extends string = ""> = A extends readonly (infer U)[]
  ? NonNullable<B> extends readonly (infer V)[]
    ? ExtraFields<U, V, `${At}[]`>
    : `${At} (GitHub's is not an array)`
  : A extends object
    ? {
        [K in keyof A & string]: K extends keyof Known<NonNullable<B>>
          ? ExtraFields<A[K], Known<NonNullable<B>>[K], `${At}.${K}`>
          : `${At}.${K}`;
      }[keyof A & string]
    : never;

type GitHubDay = legacy["schemas"]["copilot-usage-metrics-day"];
type GitHubBilling = current["schemas"]["copilot-organization-details"];

describe("response shapes declared once", () => {
  it("writes each legacy metrics day as one of GitHub's copilot-usage-metrics-day, with no field GitHub lacks", () => {
    expectTypeOf<DayDocument>().toMatchTypeOf<GitHubDay>();
    expectTypeOf<ExtraFields<DayDocument, GitHubDay>>().toEqualTypeOf<never>();
  });

  it("writes the billing summary as one of GitHub's copilot-organization-details, with no field GitHub lacks", () => {
    expectTypeOf<CopilotBilling>().toMatchTypeOf<GitHubBilling>();
    expectTypeOf<ExtraFields<CopilotBilling, GitHubBilling>>().toEqualTypeOf<never>();
  });
});

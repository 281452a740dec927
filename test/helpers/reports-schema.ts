import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

/**
 * GitHub's own OpenAPI description of the usage-metrics report routes (@octokit/openapi, generated/ghec.json):
 * the link answers of pilotlog's report routes are checked against it.
 */
const require = createRequire(import.meta.url);
const spec = require("@octokit/openapi/generated/ghec.json") as {
  paths: Record<string, { get?: { responses: Record<string, unknown> } }>;
  components: Record<string, unknown>;
};

const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
ajv.addSchema({ $id: "ghec", components: spec.components }, "ghec");
const oneDay: ValidateFunction = ajv.compile({
  $ref: "ghec#/components/schemas/copilot-usage-metrics-1-day-report",
});
const twentyEight: ValidateFunction = ajv.compile({
  $ref: "ghec#/components/schemas/copilot-usage-metrics-28-day-report",
});

/** The GHEC paths of the report routes (`/orgs/{org}/copilot/metrics/reports/…`). */
export const REPORT_PATHS = Object.keys(spec.paths).filter((p) => p.includes("/copilot/metrics/reports/"));

/** The statuses GitHub's description lists for a report route. */
export function documentedStatuses(path: string): string[] {
  return Object.keys(spec.paths[path]?.get?.responses ?? {});
}

/** Throws unless `body` is a link answer of GitHub's schema (1-day or 28-day, by its path). */
export function assertLinkAnswer(path: string, body: unknown): void {
  const v = path.includes("28-day") ? twentyEight : oneDay;
  if (!v(body))
    throw new Error(`link answer of ${path} does not match GitHub's schema: ${ajv.errorsText(v.errors)}`);
}

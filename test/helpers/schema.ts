import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

const spec = JSON.parse(
  readFileSync(new URL("../fixtures/github-copilot-metrics.openapi.json", import.meta.url), "utf8"),
) as {
  components: { schemas: Record<string, unknown> };
};

// OpenAPI 3.0 refs point at #/components/schemas/…: register the components as one schema and ref into it.
const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
ajv.addSchema({ $id: "gh", components: spec.components }, "gh");

const dayList: ValidateFunction = ajv.compile({
  type: "array",
  items: { $ref: "gh#/components/schemas/copilot-usage-metrics-day" },
});
const basicError: ValidateFunction = ajv.compile({ $ref: "gh#/components/schemas/basic-error" });

function check(v: ValidateFunction, body: unknown): void {
  if (!v(body))
    throw new Error(
      `response does not match GitHub's schema: ${ajv.errorsText(v.errors)}\n${JSON.stringify(body).slice(0, 500)}`,
    );
}

/** Throws unless `body` is a valid 200 answer of a metrics route (an array of copilot-usage-metrics-day). */
export function assertMetricsBody(body: unknown): void {
  check(dayList, body);
}

/** Throws unless `body` is GitHub's basic-error. */
export function assertErrorBody(body: unknown): void {
  check(basicError, body);
}

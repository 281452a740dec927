import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

interface Spec {
  paths: Record<
    string,
    { get: { responses: Record<string, { content?: { "application/json": { schema: unknown } } }> } }
  >;
  components: Record<string, unknown>;
}
/** OpenAPI 3.0's `nullable` without a `type` (on oneOf/allOf) is not JSON Schema: spell it as anyOf with null. */
function nullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullable);
  if (!node || typeof node !== "object") return node;
  const o = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, nullable(v)])) as Record<
    string,
    unknown
  >;
  if (o.nullable === true && o.type === undefined) {
    const { nullable: _drop, ...rest } = o;
    return { anyOf: [rest, { type: "null" }] };
  }
  return o;
}

const spec = nullable(
  JSON.parse(
    readFileSync(new URL("../fixtures/github-companion-endpoints.openapi.json", import.meta.url), "utf8"),
  ),
) as Spec;
const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
ajv.addSchema({ $id: "companion", components: spec.components }, "companion");

const cache = new Map<string, ValidateFunction>();
/** Rewrites local refs so a path's schema can be compiled on its own against the registered components. */
const rebase = (schema: unknown): unknown =>
  JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"companion#/components/'));

/** Throws unless `body` matches GitHub's schema for `GET path` answering `status` (200 by default). */
export function assertCompanionBody(path: string, body: unknown, status = "200"): void {
  const key = `${path} ${status}`;
  let v = cache.get(key);
  if (!v) {
    const response = spec.paths[path]?.get.responses[status];
    if (!response) throw new Error(`no ${status} response for ${path} in the companion schema`);
    const resolved =
      "$ref" in response
        ? (spec.components as { responses: Record<string, typeof response> }).responses[
            (response as { $ref: string }).$ref.split("/").pop()!
          ]!
        : response;
    v = ajv.compile(rebase(resolved.content!["application/json"].schema) as object);
    cache.set(key, v);
  }
  if (!v(body))
    throw new Error(
      `${path} ${status} does not match GitHub's schema: ${ajv.errorsText(v.errors)}\n${JSON.stringify(body).slice(0, 400)}`,
    );
}

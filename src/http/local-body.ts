import type { FastifyInstance, FastifyRequest } from "fastify";
import { RULE_TEXT } from "../schemas/common.js";
import { ApiError, type FieldError } from "./errors.js";
import { checkLocalRequest } from "./local-guard.js";

/** One failure as ajv reports it to Fastify (the fields pilotlog reads). */
interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/**
 * A scope for local routes (sandbox, admin): `first` runs before anything else (the admin secret), then the
 * cross-site checks, then JSON bodies are parsed (an empty body is `{}`) and validated against each route's schema.
 */
export function localRoutes(
  app: FastifyInstance,
  register: (scope: FastifyInstance) => void,
  first?: (req: FastifyRequest) => void,
): void {
  app.register(async (scope) => {
    scope.addHook("onRequest", async (req) => {
      first?.(req);
      checkLocalRequest(req);
    });
    scope.addContentTypeParser("application/json", { parseAs: "string" }, (_req, text, done) => {
      const raw = String(text);
      if (raw.trim() === "") return done(null, {});
      try {
        done(null, JSON.parse(raw));
      } catch (err) {
        done(
          new ApiError("bad_json", `Problems parsing JSON: ${(err as Error).message.slice(0, 200)}`, {
            cause: err,
          }),
        );
      }
    });
    register(scope);
  });
}

/** `scopes/0` → `scopes[0]`: the field as a person would name it. */
function fieldOf(e: AjvError): string {
  const path = e.instancePath
    .split("/")
    .slice(1)
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join("");
  const child =
    typeof e.params.missingProperty === "string"
      ? e.params.missingProperty
      : typeof e.params.additionalProperty === "string"
        ? e.params.additionalProperty
        : null;
  return child === null ? path : path ? `${path}.${child}` : child;
}

/**
 * GitHub's `422 Validation Failed` for a body that does not match its route's schema, each failure naming the
 * field and what it must be.
 */
export function bodyValidationError(errors: readonly AjvError[], resource: string): ApiError {
  const fields: FieldError[] = errors.slice(0, 10).map((e) => {
    const field = fieldOf(e) || "body";
    let message: string;
    if (e.keyword === "required") message = `"${field}" is required`;
    else if (e.keyword === "additionalProperties") message = `"${field}" is not a field of this request`;
    else if (e.keyword === "enum")
      message = `"${field}" must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    else if (e.keyword === "type") {
      const types = ([] as unknown[]).concat(e.params.type).map(String);
      message = `"${field}" must be ${types.join(" or ")}`;
    } else if ((e.keyword === "pattern" || e.keyword === "format") && RULE_TEXT[String(e.params[e.keyword])])
      message = `"${field}" must be ${RULE_TEXT[String(e.params[e.keyword])]}`;
    else message = `"${field}" ${e.message ?? "is invalid"}`;
    return {
      resource,
      field,
      code: e.keyword === "required" ? "missing_field" : "invalid",
      message,
    };
  });
  return new ApiError(
    "validation_failed",
    `Invalid request body: ${fields.map((f) => f.message).join("; ")}`,
    {
      errors: fields,
    },
  );
}

/**
 * What the GitHub-shaped routes take in their path and query string. Each route registers these as its Fastify
 * schema (`params`, `querystring`: the contract and, with the TypeBox type provider, the handler's types); the
 * handler validates them with the same compiled schema at the step GitHub's order puts them (authentication,
 * then the scope's 404, then access, then a 422 for the query), so `handlerValidated` tells Fastify not to
 * validate them first.
 */
import { type Static, type TSchema, Type } from "typebox";

/** A name in a path (login, slug, team): anything else cannot exist and is a 404 before any query. */
export const PATH_NAME_PATTERN = "^[A-Za-z0-9._-]{1,100}$";
export const PATH_NAME_RE = new RegExp(PATH_NAME_PATTERN);
export const PathName = Type.String({ pattern: PATH_NAME_PATTERN });

/** The path parameters of a route, each a PathName. */
export function pathParams<const K extends string>(...names: K[]) {
  return Type.Object(Object.fromEntries(names.map((n) => [n, PathName])) as { [P in K]: typeof PathName });
}

/** A query value: one string, or several when the parameter is repeated (then refused: "given more than once"). */
function single<T extends TSchema>(schema: T) {
  return Type.Unsafe<Static<T> | string[]>({
    if: { type: "string" },
    else: { type: "string" },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else, not a promise
    then: schema,
  });
}

/** A whole number of at least 1, or empty (the default). */
const Positive = single(Type.String({ pattern: "^(?:|0*[1-9][0-9]*)$" }));

/** `page` and `per_page` of GitHub's list endpoints. */
export const PaginationQuery = Type.Object({
  page: Type.Optional(Positive),
  per_page: Type.Optional(Positive),
});

/** The legacy metrics routes' query (metrics-semantics.md): other parameters are ignored, as GitHub does. */
export const MetricsQuerySchema = Type.Object({
  since: Type.Optional(single(Type.String({ format: "query-day" }))),
  until: Type.Optional(single(Type.String({ format: "query-day" }))),
  page: Type.Optional(Positive),
  per_page: Type.Optional(Positive),
});
export type MetricsQueryInput = Static<typeof MetricsQuerySchema>;

/** `day` of the 1-day report routes: required, one value, `YYYY-MM-DD`. */
export const ReportDayQuery = Type.Object({ day: Type.Optional(single(Type.String({ format: "day" }))) });

/** `since`/`until` of `GET /telemetry/v1/usage`: days. */
export const UsageQuery = Type.Object({
  since: Type.Optional(Type.String({ format: "day" })),
  until: Type.Optional(Type.String({ format: "day" })),
});

/** A validator compiler for schemas the handler checks itself (see above): Fastify lets every value through. */
export const handlerValidated = () => () => true;

/**
 * Route options giving a route its schema, which the handler validates itself at its step (see above). Written
 * `{ ...handlerSchema({ params, querystring }) }` beside the route's `config`.
 */
export function handlerSchema<S extends { params?: TSchema; querystring?: TSchema; body?: TSchema }>(
  schema: S,
) {
  return { schema, validatorCompiler: handlerValidated };
}

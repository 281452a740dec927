import {
  GraphQLBoolean,
  GraphQLError,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
} from "graphql";
import type { Queryable } from "../db/db.js";
import type { Principal } from "../http/auth.js";
import { decideReport } from "../reports/access.js";

/** What a resolver sees: the database and the caller, authenticated already. */
export interface GraphqlContext {
  db: Queryable;
  principal: Principal;
}

interface EnterpriseRow {
  id: number;
  slug: string;
  name: string;
}

const MAX_PAGE = 100;

/** Connection cursors: the offset after which the next page starts, opaque to clients as GitHub's are. */
const cursorOf = (offset: number) => Buffer.from(`cursor:v2:${offset}`).toString("base64");
function offsetOf(cursor: string): number {
  const m = /^cursor:v2:(\d{1,9})$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
  if (!m)
    throw new GraphQLError(`\`${cursor}\` does not appear to be a valid cursor.`, {
      extensions: { type: "INVALID_CURSOR_ARGUMENTS" },
    });
  return Number(m[1]);
}

const Organization = new GraphQLObjectType({
  name: "Organization",
  description: "An organization of the enterprise, as pilotlog's directory holds it.",
  fields: {
    login: { type: new GraphQLNonNull(GraphQLString) },
    name: { type: GraphQLString },
  },
});

const PageInfo = new GraphQLObjectType({
  name: "PageInfo",
  fields: {
    hasNextPage: { type: new GraphQLNonNull(GraphQLBoolean) },
    hasPreviousPage: { type: new GraphQLNonNull(GraphQLBoolean) },
    startCursor: { type: GraphQLString },
    endCursor: { type: GraphQLString },
  },
});

const OrganizationConnection = new GraphQLObjectType({
  name: "OrganizationConnection",
  fields: {
    totalCount: { type: new GraphQLNonNull(GraphQLInt) },
    pageInfo: { type: new GraphQLNonNull(PageInfo) },
    nodes: { type: new GraphQLList(Organization) },
  },
});

const Enterprise = new GraphQLObjectType<EnterpriseRow, GraphqlContext>({
  name: "Enterprise",
  fields: {
    slug: { type: new GraphQLNonNull(GraphQLString) },
    name: { type: new GraphQLNonNull(GraphQLString) },
    organizations: {
      type: new GraphQLNonNull(OrganizationConnection),
      args: { first: { type: GraphQLInt }, after: { type: GraphQLString } },
      async resolve(ent, args: { first?: number | null; after?: string | null }, ctx) {
        const first = args.first;
        if (first === undefined || first === null)
          throw new GraphQLError(
            "You must provide a `first` value to properly paginate the `organizations` connection.",
            { extensions: { type: "MISSING_PAGINATION_BOUNDARIES" } },
          );
        if (first < 0 || first > MAX_PAGE)
          throw new GraphQLError(
            `Requesting ${first} records on the \`organizations\` connection exceeds the \`first\` limit of ${MAX_PAGE} records.`,
            { extensions: { type: "EXCESSIVE_PAGINATION" } },
          );
        const start = args.after ? offsetOf(args.after) : 0;
        const [count] = await ctx.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM organizations WHERE enterprise_id = $1",
          [ent.id],
        );
        const rows = await ctx.db.query<{ login: string; name: string }>(
          `SELECT login, name FROM organizations WHERE enterprise_id = $1
           ORDER BY login_lower, id OFFSET $2 LIMIT $3`,
          [ent.id, start, first],
        );
        const total = count?.n ?? 0;
        return {
          totalCount: total,
          nodes: rows.map((r) => ({ login: r.login, name: r.name || null })),
          pageInfo: {
            hasNextPage: start + rows.length < total,
            hasPreviousPage: start > 0,
            startCursor: rows.length > 0 ? cursorOf(start) : null,
            endCursor: rows.length > 0 ? cursorOf(start + rows.length) : null,
          },
        };
      },
    },
  },
});

const Query = new GraphQLObjectType<unknown, GraphqlContext>({
  name: "Query",
  fields: {
    enterprise: {
      type: Enterprise,
      args: { slug: { type: new GraphQLNonNull(GraphQLString) } },
      async resolve(_root, args: { slug: string }, ctx) {
        const [ent] = await ctx.db.query<EnterpriseRow>(
          "SELECT id, slug, name FROM enterprises WHERE slug = lower($1)",
          [args.slug],
        );
        if (!ent)
          throw new GraphQLError(`Could not resolve to an Enterprise with the slug of '${args.slug}'.`, {
            extensions: { type: "NOT_FOUND" },
          });
        // The same rule as the enterprise report routes: owners and billing managers, classic/OAuth scopes.
        const d = decideReport(ctx.principal, "ent", { enterpriseId: ent.id, orgId: null });
        if (!d.ok) throw new GraphQLError(d.message, { extensions: { type: "FORBIDDEN" } });
        return ent;
      },
    },
  },
});

/**
 * pilotlog's GraphQL schema: only what it knows, an enterprise and its organizations (the query dashboards send
 * beside the usage-metrics reports). Anything else is a validation error in GraphQL's shape.
 */
export const schema = new GraphQLSchema({ query: Query });

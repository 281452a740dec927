import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Need } from "../../http/access.js";
import { type AppContext, lagTolerantReader } from "../../http/context.js";
import { ApiError } from "../../http/errors.js";
import { pathName } from "../../http/scopes.js";
import { handlerSchema, PaginationQuery, pathParams } from "../../schemas/route.js";
import { utcDay } from "../../util/time.js";
import { authenticated, enterpriseFor, orgFor } from "./guard.js";
import { baseUrl, pageItems, pageOf, sendJson } from "./list.js";
import { enterpriseTeam, organizationSimple, privateUser, simpleUser, team } from "./people.js";

const DOCS = {
  teams: "https://docs.github.com/rest/teams/teams#list-teams",
  teamMembers: "https://docs.github.com/rest/teams/members#list-team-members",
  members: "https://docs.github.com/rest/orgs/members#list-organization-members",
  entTeams: "https://docs.github.com/rest/enterprise-teams/enterprise-teams#list-enterprise-teams",
  entMembers:
    "https://docs.github.com/rest/enterprise-teams/enterprise-team-members#list-members-in-an-enterprise-team",
  user: "https://docs.github.com/rest/users/users#get-the-authenticated-user",
  userOrgs: "https://docs.github.com/rest/orgs/orgs#list-organizations-for-the-authenticated-user",
};

const ORG_MEMBER: Need = {
  scopes: ["read:org"],
  permissions: ["members"],
  role: "member",
  roleMessage: "You must be a member of the organization to list its teams and members.",
};
const ENT_READ: Need = {
  scopes: ["read:enterprise"],
  permissions: [],
  role: "enterprise",
  roleMessage: "Only enterprise owners and billing managers can list the enterprise's teams.",
};

/** Members (valid today) of one scope, by login. */
const VALID = "(g.since IS NULL OR g.since <= $1::date) AND (g.until IS NULL OR g.until >= $1::date)";

/** Teams and members of organizations and enterprises, and the token's own user and organizations. */
export function registerTeamRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    "/orgs/:org/teams",
    {
      config: { docs: DOCS.teams },
      ...handlerSchema({ params: pathParams("org"), querystring: PaginationQuery }),
    },
    async (req, reply) => {
      const org = await orgFor(ctx, req, reply, ORG_MEMBER, DOCS.teams);
      const rows = await (await lagTolerantReader(ctx)).query<{
        id: number;
        slug: string;
        name: string;
        login: string;
      }>(
        "SELECT t.id, t.slug, t.name, o.login FROM teams t JOIN organizations o ON o.id = t.org_id WHERE t.org_id = $1 ORDER BY t.slug",
        [org.id],
      );
      const base = baseUrl(req);
      const page = pageItems(req, reply, rows, pageOf(req, 30, DOCS.teams));
      return sendJson(
        req,
        reply,
        page.map((t) => team(base, { id: org.id, login: t.login }, t)),
      );
    },
  );

  app.get(
    "/orgs/:org/teams/:team_slug/members",
    {
      config: { docs: DOCS.teamMembers },
      ...handlerSchema({ params: pathParams("org", "team_slug"), querystring: PaginationQuery }),
    },
    async (req, reply) => {
      const params = req.params as { org: string; team_slug: string };
      const org = await orgFor(ctx, req, reply, ORG_MEMBER, DOCS.teamMembers);
      const [t] = await ctx.db.query<{ id: number }>(
        "SELECT id FROM teams WHERE org_id = $1 AND slug = lower($2)",
        [org.id, pathName(params.team_slug)],
      );
      if (!t) throw new ApiError("not_found", "Not Found", { documentationUrl: DOCS.teamMembers });
      return listMembers(ctx, req, reply, "team", t.id, DOCS.teamMembers);
    },
  );

  app.get(
    "/orgs/:org/members",
    {
      config: { docs: DOCS.members },
      ...handlerSchema({ params: pathParams("org"), querystring: PaginationQuery }),
    },
    async (req, reply) => {
      const org = await orgFor(ctx, req, reply, ORG_MEMBER, DOCS.members);
      return listMembers(ctx, req, reply, "org", org.id, DOCS.members);
    },
  );

  app.get(
    "/enterprises/:enterprise/teams",
    {
      config: { docs: DOCS.entTeams },
      ...handlerSchema({ params: pathParams("enterprise"), querystring: PaginationQuery }),
    },
    async (req, reply) => {
      const ent = await enterpriseFor(ctx, req, reply, ENT_READ, DOCS.entTeams);
      const [e] = await ctx.db.query<{ slug: string }>("SELECT slug FROM enterprises WHERE id = $1", [
        ent.id,
      ]);
      const rows = await ctx.db.query<{ id: number; slug: string; name: string; created_at: string }>(
        "SELECT id, slug, name, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at FROM teams WHERE enterprise_id = $1 ORDER BY slug",
        [ent.id],
      );
      const base = baseUrl(req);
      return sendJson(
        req,
        reply,
        pageItems(req, reply, rows, pageOf(req, 30, DOCS.entTeams)).map((t) => enterpriseTeam(base, e!, t)),
      );
    },
  );

  app.get(
    "/enterprises/:enterprise/teams/:team/memberships",
    {
      config: { docs: DOCS.entMembers },
      ...handlerSchema({ params: pathParams("enterprise", "team"), querystring: PaginationQuery }),
    },
    async (req, reply) => {
      const params = req.params as { enterprise: string; team: string };
      const ent = await enterpriseFor(ctx, req, reply, ENT_READ, DOCS.entMembers);
      const [t] = await ctx.db.query<{ id: number }>(
        "SELECT id FROM teams WHERE enterprise_id = $1 AND slug = lower($2)",
        [ent.id, pathName(params.team)],
      );
      if (!t) throw new ApiError("not_found", "Not Found", { documentationUrl: DOCS.entMembers });
      return listMembers(ctx, req, reply, "eteam", t.id, DOCS.entMembers);
    },
  );

  app.get("/user", { config: { docs: DOCS.user } }, async (req, reply) => {
    const p = await authenticated(ctx, req, reply);
    if (p.userId == null || p.kind === "ingest") {
      throw new ApiError("forbidden", "Resource not accessible by integration", {
        documentationUrl: DOCS.user,
      });
    }
    const [u] = await ctx.db.query<{ id: number; login: string; created_at: string }>(
      "SELECT id, login, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at FROM users WHERE id = $1",
      [p.userId],
    );
    if (p.kind === "classic" || p.kind === "oauth")
      reply.header("x-oauth-scopes", p.scopes.join(", ")).header("x-accepted-oauth-scopes", "");
    return sendJson(req, reply, privateUser(baseUrl(req), u!));
  });

  app.get(
    "/user/orgs",
    { config: { docs: DOCS.userOrgs }, ...handlerSchema({ querystring: PaginationQuery }) },
    async (req, reply) => {
      const p = await authenticated(ctx, req, reply);
      if (p.userId == null || p.kind === "ingest") {
        throw new ApiError("forbidden", "Resource not accessible by integration", {
          documentationUrl: DOCS.userOrgs,
        });
      }
      const rows = await ctx.db.query<{ id: number; login: string }>(
        `SELECT DISTINCT o.id, o.login, o.login_lower FROM grants g JOIN organizations o ON g.scope_kind = 'org' AND o.id = g.scope_id
       WHERE g.user_id = $2 AND g.role IN ('member', 'owner') AND ${VALID} ORDER BY o.login_lower`,
        [utcDay(ctx.clock.now()), p.userId],
      );
      const base = baseUrl(req);
      return sendJson(
        req,
        reply,
        pageItems(req, reply, rows, pageOf(req, 30, DOCS.userOrgs)).map((o) => organizationSimple(base, o)),
      );
    },
  );
}

async function listMembers(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  kind: string,
  id: number,
  docs: string,
) {
  const rows = await (await lagTolerantReader(ctx)).query<{ id: number; login: string }>(
    `SELECT DISTINCT u.id, u.login, u.login_lower FROM grants g JOIN users u ON u.id = g.user_id
     WHERE g.scope_kind = $2 AND g.scope_id = $3 AND g.role IN ('member', 'owner') AND ${VALID} ORDER BY u.login_lower`,
    [utcDay(ctx.clock.now()), kind, id],
  );
  const base = baseUrl(req);
  return sendJson(
    req,
    reply,
    pageItems(req, reply, rows, pageOf(req, 30, docs)).map((u) => simpleUser(base, u)),
  );
}

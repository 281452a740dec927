import type { FastifyInstance } from "fastify";
import type { Queryable } from "../../db/db.js";
import type { Need } from "../../http/access.js";
import { type AppContext, lagTolerantReader } from "../../http/context.js";
import { ApiError } from "../../http/errors.js";
import { pathName } from "../../http/scopes.js";
import { handlerSchema, PaginationQuery, pathParams } from "../../schemas/route.js";
import { utcDay } from "../../util/time.js";
import { enterpriseFor, orgFor } from "./guard.js";
import { baseUrl, pageItems, pageOf, sendJson } from "./list.js";
import { organizationSimple, simpleUser, team } from "./people.js";
import type { CopilotBilling } from "./shapes.js";

const DOCS = {
  billing:
    "https://docs.github.com/rest/copilot/copilot-user-management#get-copilot-seat-information-and-settings-for-an-organization",
  seats:
    "https://docs.github.com/rest/copilot/copilot-user-management#list-all-copilot-seat-assignments-for-an-organization",
  entSeats:
    "https://docs.github.com/rest/copilot/copilot-user-management#list-all-copilot-seat-assignments-for-an-enterprise",
  member:
    "https://docs.github.com/rest/copilot/copilot-user-management#get-copilot-seat-assignment-details-for-a-user",
};

const ORG_ADMIN: Need = {
  scopes: ["manage_billing:copilot", "read:org"],
  permissions: ["copilot_business", "administration"],
  role: "admin",
  roleMessage: "Only organization owners can view Copilot seat information for the organization.",
};
const ENT_ADMIN: Need = {
  scopes: ["manage_billing:copilot", "read:enterprise"],
  permissions: [],
  role: "enterprise",
  roleMessage:
    "Only enterprise owners and billing managers can view Copilot seat assignments for the enterprise.",
};

/** A timestamptz column as GitHub writes instants: `2026-11-20T08:00:00Z`. */
const ISO = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

interface SeatRow {
  user_id: number;
  login: string;
  org_id: number | null;
  org_login: string | null;
  since: string | null;
  until: string | null;
  created_at: string;
  last_at: string | null;
  editor: string | null;
  team_id: number | null;
  team_slug: string | null;
  team_name: string | null;
}

/** Which seats a listing reads; fixed SQL fragments, so no input is ever spliced into the statement. */
const SEAT_FILTERS = {
  org: "g.scope_kind = 'org' AND g.scope_id = $2",
  enterprise:
    "(g.scope_kind = 'ent' AND g.scope_id = $2) OR (g.scope_kind = 'org' AND g.scope_id IN (SELECT id FROM organizations WHERE enterprise_id = $2))",
  member: "g.scope_kind = 'org' AND g.scope_id = $2 AND u.login_lower = lower($3)",
} as const;

/** Seats valid today, assigned where `filter` says, with their holders' last activity. */
function seats(
  db: Queryable,
  filter: keyof typeof SEAT_FILTERS,
  params: unknown[],
  today: string,
): Promise<SeatRow[]> {
  return db.query<SeatRow>(
    `SELECT u.id AS user_id, u.login, o.id AS org_id, o.login AS org_login, g.since::text, g.until::text,
            ${ISO("coalesce(o.created_at, e.created_at)")} AS created_at, ${ISO("a.last_at")} AS last_at, a.editor, at.id AS team_id, at.slug AS team_slug, at.name AS team_name
     FROM grants g JOIN users u ON u.id = g.user_id
     LEFT JOIN teams at ON at.id = g.team_id
     LEFT JOIN organizations o ON g.scope_kind = 'org' AND o.id = g.scope_id
     LEFT JOIN enterprises e ON g.scope_kind = 'ent' AND e.id = g.scope_id
     LEFT JOIN user_activity a ON a.user_id = u.id
     WHERE g.role = 'seat' AND (${SEAT_FILTERS[filter]})
       AND (g.since IS NULL OR g.since <= $1::date) AND (g.until IS NULL OR g.until >= $1::date)
     ORDER BY u.login_lower, o.login_lower NULLS FIRST`,
    [today, ...params],
  );
}

function seatDetail(base: string, s: SeatRow, withOrg: boolean, today: string) {
  const created = s.since ? `${s.since}T00:00:00Z` : s.created_at;
  return {
    created_at: created,
    assignee: simpleUser(base, { id: s.user_id, login: s.login }),
    ...(withOrg
      ? {
          organization:
            s.org_id != null ? organizationSimple(base, { id: s.org_id, login: s.org_login! }) : null,
        }
      : {}),
    assigning_team:
      s.team_id != null && s.org_id != null
        ? team(
            base,
            { id: s.org_id, login: s.org_login! },
            { id: s.team_id, slug: s.team_slug!, name: s.team_name! },
          )
        : null,
    // A seat that ends (until) is pending cancellation from the day after.
    pending_cancellation_date:
      s.until && s.until >= today
        ? new Date(Date.parse(`${s.until}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
        : null,
    last_activity_at: s.last_at,
    last_activity_editor: s.editor,
    last_authenticated_at: s.last_at,
    updated_at: created,
    plan_type: "business",
  };
}

/** Copilot seat endpoints: billing summary, seat lists for an organization and an enterprise, one member's seat. */
export function registerSeatRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    "/orgs/:org/copilot/billing",
    { config: { docs: DOCS.billing }, ...handlerSchema({ params: pathParams("org") }) },
    async (req, reply) => {
      const org = await orgFor(ctx, req, reply, ORG_ADMIN, DOCS.billing);
      const today = utcDay(ctx.clock.now());
      const rows = await seats(await lagTolerantReader(ctx), "org", [org.id], today);
      const since = `${today.slice(0, 7)}-01`;
      const active = rows.filter((r) => r.last_at && r.last_at.slice(0, 10) >= since).length;
      return sendJson(req, reply, {
        seat_breakdown: {
          total: rows.length,
          added_this_cycle: rows.filter((r) => r.since && r.since >= since).length,
          pending_invitation: 0,
          pending_cancellation: rows.filter((r) => r.until).length,
          active_this_cycle: active,
          inactive_this_cycle: rows.length - active,
        },
        public_code_suggestions: "allow",
        ide_chat: "enabled",
        platform_chat: "enabled",
        cli: "enabled",
        seat_management_setting: "assign_selected",
        plan_type: "business",
      } satisfies CopilotBilling);
    },
  );

  app.get(
    "/orgs/:org/copilot/billing/seats",
    {
      config: { docs: DOCS.seats },
      ...handlerSchema({ params: pathParams("org"), querystring: PaginationQuery }),
    },
    async (req, reply) => {
      const org = await orgFor(ctx, req, reply, ORG_ADMIN, DOCS.seats);
      const p = pageOf(req, 50, DOCS.seats);
      const today = utcDay(ctx.clock.now());
      const rows = await seats(await lagTolerantReader(ctx), "org", [org.id], today);
      const base = baseUrl(req);
      return sendJson(req, reply, {
        total_seats: rows.length,
        seats: pageItems(req, reply, rows, p).map((s) => seatDetail(base, s, false, today)),
      });
    },
  );

  app.get(
    "/enterprises/:enterprise/copilot/billing/seats",
    {
      config: { docs: DOCS.entSeats },
      ...handlerSchema({ params: pathParams("enterprise"), querystring: PaginationQuery }),
    },
    async (req, reply) => {
      const ent = await enterpriseFor(ctx, req, reply, ENT_ADMIN, DOCS.entSeats);
      const p = pageOf(req, 50, DOCS.entSeats);
      const today = utcDay(ctx.clock.now());
      const rows = await seats(await lagTolerantReader(ctx), "enterprise", [ent.id], today);
      const base = baseUrl(req);
      return sendJson(req, reply, {
        total_seats: rows.length,
        seats: pageItems(req, reply, rows, p).map((s) => seatDetail(base, s, true, today)),
      });
    },
  );

  app.get(
    "/orgs/:org/members/:username/copilot",
    { config: { docs: DOCS.member }, ...handlerSchema({ params: pathParams("org", "username") }) },
    async (req, reply) => {
      const params = req.params as { org: string; username: string };
      const org = await orgFor(ctx, req, reply, ORG_ADMIN, DOCS.member);
      const today = utcDay(ctx.clock.now());
      const [row] = await seats(
        await lagTolerantReader(ctx),
        "member",
        [org.id, pathName(params.username)],
        today,
      );
      if (!row) throw new ApiError("not_found", "Not Found", { documentationUrl: DOCS.member });
      return sendJson(req, reply, seatDetail(baseUrl(req), row, true, today));
    },
  );
}

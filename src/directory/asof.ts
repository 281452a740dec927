import type { Queryable } from "../db/db.js";

/** The directory as it was at the end of one day, in the form the rollup needs. */
export interface DayDirectory {
  /** Scope keys each counted user (member somewhere, telemetry on) belongs to. */
  scopesOf: Map<number, string[]>;
  /** Per scope with a privacy threshold (org, team, eteam): members holding an active seat. */
  seatedMembers: Map<string, number>;
  customModels: Map<string, string | null>;
}

interface G {
  scope_kind: string;
  scope_id: number;
  user_id: number;
  role: string;
}

/** Scope keys: `ent:ID`, `org:ID`, `team:ID`, `eteam:ID`. */
export const scopeKey = (kind: string, id: number): string => `${kind}:${id}`;

/** Loads memberships, seats, telemetry and custom models valid at the end of `day`. */
export async function loadDayDirectory(db: Queryable, day: string): Promise<DayDirectory> {
  const grants = await db.query<G>(
    `SELECT scope_kind, scope_id, user_id, role FROM grants
     WHERE (since IS NULL OR since <= $1::date) AND (until IS NULL OR until >= $1::date)`,
    [day],
  );
  const orgs = await db.query<{ id: number; enterprise_id: number | null }>(
    "SELECT id, enterprise_id FROM organizations",
  );
  const teams = await db.query<{ id: number; org_id: number | null }>(
    "SELECT id, org_id FROM teams WHERE org_id IS NOT NULL",
  );
  const eteams = await db.query<{ id: number; enterprise_id: number }>(
    "SELECT id, enterprise_id FROM teams WHERE enterprise_id IS NOT NULL",
  );
  // Telemetry at the end of `day`: the latest change on or before it; before the first change, the opposite of it.
  const off = await db.query<{ id: number }>(
    `SELECT u.id FROM users u WHERE NOT coalesce(
       (SELECT t.enabled FROM user_telemetry t WHERE t.user_id = u.id AND t.from_day <= $1::date ORDER BY t.from_day DESC LIMIT 1),
       (SELECT NOT t.enabled FROM user_telemetry t WHERE t.user_id = u.id ORDER BY t.from_day LIMIT 1),
       u.telemetry)`,
    [day],
  );
  const models = await db.query<{ name: string; training_date: string | null }>(
    "SELECT name, training_date FROM custom_models",
  );
  return buildDayDirectory({
    grants,
    orgs,
    teams,
    eteams,
    telemetryOff: new Set(off.map((r) => r.id)),
    models,
  });
}

/** The pure part of loadDayDirectory, separated so it can be tested without a database. */
export function buildDayDirectory(input: {
  grants: readonly G[];
  orgs: readonly { id: number; enterprise_id: number | null }[];
  teams: readonly { id: number; org_id: number | null }[];
  eteams: readonly { id: number; enterprise_id: number }[];
  telemetryOff: ReadonlySet<number>;
  models: readonly { name: string; training_date: string | null }[];
}): DayDirectory {
  const entOfOrg = new Map(input.orgs.map((o) => [o.id, o.enterprise_id]));
  const orgOfTeam = new Map(input.teams.map((t) => [t.id, t.org_id]));
  const entOfEteam = new Map(input.eteams.map((t) => [t.id, t.enterprise_id]));

  const members = new Map<string, Set<number>>(); // scope → members
  const seats = new Map<string, Set<number>>(); // "org:ID" / "ent:ID" → seat holders
  const add = (m: Map<string, Set<number>>, key: string, user: number) => {
    const s = m.get(key);
    if (s) s.add(user);
    else m.set(key, new Set([user]));
  };
  for (const g of input.grants) {
    if (g.role === "seat") {
      add(seats, scopeKey(g.scope_kind, g.scope_id), g.user_id);
      // An enterprise-assigned seat makes its holder part of the enterprise.
      if (g.scope_kind === "ent") add(members, scopeKey("ent", g.scope_id), g.user_id);
      continue;
    }
    if (g.scope_kind === "org" && (g.role === "member" || g.role === "owner")) {
      add(members, scopeKey("org", g.scope_id), g.user_id);
      const ent = entOfOrg.get(g.scope_id);
      if (ent != null) add(members, scopeKey("ent", ent), g.user_id);
    } else if (g.scope_kind === "ent" && g.role === "member") {
      add(members, scopeKey("ent", g.scope_id), g.user_id);
    } else if ((g.scope_kind === "team" || g.scope_kind === "eteam") && g.role === "member") {
      add(members, scopeKey(g.scope_kind, g.scope_id), g.user_id);
    }
  }

  const scopesOf = new Map<number, string[]>();
  const seatedMembers = new Map<string, number>();
  const seatedIn = (user: number, pools: readonly string[]) => pools.some((p) => seats.get(p)?.has(user));
  for (const [scope, users] of members) {
    const [kind, idText] = scope.split(":") as [string, string];
    const id = Number(idText);
    let pools: string[] | null = null;
    if (kind === "org") pools = seatPools(id, entOfOrg);
    else if (kind === "team") {
      const org = orgOfTeam.get(id);
      pools = org == null ? [] : seatPools(org, entOfOrg);
    } else if (kind === "eteam") {
      const ent = entOfEteam.get(id);
      pools =
        ent == null ? [] : [scopeKey("ent", ent), ...orgsOfEnt(ent, entOfOrg).map((o) => scopeKey("org", o))];
    }
    let seated = 0;
    for (const user of users) {
      if (pools && seatedIn(user, pools)) seated++;
      if (input.telemetryOff.has(user)) continue;
      const list = scopesOf.get(user);
      if (list) list.push(scope);
      else scopesOf.set(user, [scope]);
    }
    if (pools) seatedMembers.set(scope, seated);
  }
  return {
    scopesOf,
    seatedMembers,
    customModels: new Map(input.models.map((m) => [m.name, m.training_date])),
  };
}

/** Seats count for an organization (and its teams) when assigned by it or by its enterprise. */
function seatPools(org: number, entOfOrg: ReadonlyMap<number, number | null>): string[] {
  const ent = entOfOrg.get(org);
  return ent == null ? [scopeKey("org", org)] : [scopeKey("org", org), scopeKey("ent", ent)];
}

function orgsOfEnt(ent: number, entOfOrg: ReadonlyMap<number, number | null>): number[] {
  return [...entOfOrg].filter(([, e]) => e === ent).map(([o]) => o);
}

import type { Queryable } from "../db/db.js";
import { TELEMETRY_OFF_ON_DAY } from "./telemetry.js";

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
  const off = await db.query<{ id: number }>(
    `SELECT u.id FROM users u CROSS JOIN (SELECT $1::date AS day) d WHERE ${TELEMETRY_OFF_ON_DAY}`,
    [day],
  );
  const models = await db.query<{ name: string; training_date: string | null }>(
    "SELECT name, training_date FROM custom_models",
  );
  return buildDayDirectory({
    grants,
    orgs,
    telemetryOff: new Set(off.map((r) => r.id)),
    models,
  });
}

/** The pure part of loadDayDirectory, separated so it can be tested without a database. */
export function buildDayDirectory(input: {
  grants: readonly G[];
  orgs: readonly { id: number; enterprise_id: number | null }[];
  telemetryOff: ReadonlySet<number>;
  models: readonly { name: string; training_date: string | null }[];
}): DayDirectory {
  const entOfOrg = new Map(input.orgs.map((o) => [o.id, o.enterprise_id]));

  const members = new Map<string, Set<number>>(); // scope → members
  // metrics-semantics.md v1.1: a seat counts for the threshold whichever organization or enterprise assigned it.
  const seatHolders = new Set<number>();
  const add = (m: Map<string, Set<number>>, key: string, user: number) => {
    const s = m.get(key);
    if (s) s.add(user);
    else m.set(key, new Set([user]));
  };
  for (const g of input.grants) {
    if (g.role === "seat") {
      seatHolders.add(g.user_id);
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
  for (const [scope, users] of members) {
    // The enterprise has no threshold; organizations, teams and enterprise teams do.
    const threshold = !scope.startsWith("ent:");
    let seated = 0;
    for (const user of users) {
      if (seatHolders.has(user)) seated++;
      if (input.telemetryOff.has(user)) continue;
      const list = scopesOf.get(user);
      if (list) list.push(scope);
      else scopesOf.set(user, [scope]);
    }
    if (threshold) seatedMembers.set(scope, seated);
  }
  return {
    scopesOf,
    seatedMembers,
    customModels: new Map(input.models.map((m) => [m.name, m.training_date])),
  };
}

import { addDays } from "../util/time.js";
import type { Upstream } from "./client.js";
import type { LocalState, StoredGrant } from "./state.js";

/**
 * The directory half of `sync`: what the upstream's REST routes say today (members, teams and their members,
 * Copilot seats with their dates, enterprise teams and memberships), merged with what the local store already
 * holds into one directory file (spec/directory-file.md) that `apply` then sets.
 *
 * The upstream only tells the present, the store remembers the past, so the merge keeps history: someone listed
 * upstream gets the upstream's grant; someone the store has but the upstream no longer lists keeps their stored
 * dates, an open-ended one closed yesterday (they left since the last sync); the grants an import implied
 * (`imported`) are kept as dated grants. Owners and billing managers, which the routes do not list, stay as
 * stored, and so do policies and names.
 */

interface Login {
  login: string;
}

/** What the upstream said about one organization or enterprise. */
export interface UpstreamScope {
  key: string;
  members: string[];
  seats: { login: string; since: string | null; until: string | null; org: string | null }[];
  teams: { slug: string; name: string; members: string[] }[];
}

export interface UpstreamDirectory {
  scopes: UpstreamScope[];
  counts: Record<string, { members: number; teams: number; seats: number }>;
}

interface SeatItem {
  created_at?: string | null;
  pending_cancellation_date?: string | null;
  assignee?: Login | null;
  organization?: Login | null;
}

const dayOf = (instant: string | null | undefined): string | null =>
  instant && /^\d{4}-\d{2}-\d{2}/.test(instant) ? instant.slice(0, 10) : null;

/** Reads one organization's or enterprise's directory through the upstream's REST routes. */
export async function fetchScope(up: Upstream, key: string): Promise<UpstreamScope> {
  const [kind, name] = [key.slice(0, 3), key.slice(4)];
  const n = encodeURIComponent(name);
  const seatsPath =
    kind === "org" ? `/orgs/${n}/copilot/billing/seats` : `/enterprises/${n}/copilot/billing/seats`;
  const seatItems = await up.list<SeatItem>(seatsPath, "seats");
  const seats = seatItems
    .filter((s) => s.assignee?.login)
    .map((s) => {
      const pending = dayOf(s.pending_cancellation_date);
      return {
        login: s.assignee!.login,
        since: dayOf(s.created_at),
        // A seat pending cancellation ends the day before that date.
        until: pending ? addDays(pending, -1) : null,
        org: s.organization?.login ?? null,
      };
    });
  if (kind === "org") {
    const members = (await up.list<Login>(`/orgs/${n}/members`)).map((m) => m.login);
    const teamList = await up.list<{ slug: string; name: string }>(`/orgs/${n}/teams`);
    const teams = [];
    for (const t of teamList) {
      const ms = await up.list<Login>(`/orgs/${n}/teams/${encodeURIComponent(t.slug)}/members`);
      teams.push({ slug: t.slug, name: t.name, members: ms.map((m) => m.login) });
    }
    return { key, members, seats, teams };
  }
  const teamList = await up.list<{ slug: string; name: string }>(`/enterprises/${n}/teams`);
  const teams = [];
  for (const t of teamList) {
    const ms = await up.list<Login>(`/enterprises/${n}/teams/${encodeURIComponent(t.slug)}/memberships`);
    teams.push({ slug: t.slug, name: t.name, members: ms.map((m) => m.login) });
  }
  return { key, members: [], seats, teams };
}

type FileGrant = string | { login: string; since?: string; until?: string };

/** One list of grants: upstream's for whom it lists, the store's (history) for the rest. */
function merge(
  upstreamGrants: { login: string; since: string | null; until: string | null }[] | null,
  stored: StoredGrant[],
  yesterday: string,
): FileGrant[] {
  const out = new Map<string, { login: string; since: string | null; until: string | null }>();
  if (upstreamGrants) for (const g of upstreamGrants) out.set(g.login.toLowerCase(), { ...g });
  for (const s of stored) {
    const k = s.login.toLowerCase();
    const have = out.get(k);
    if (upstreamGrants && have) {
      // Listed upstream: its grant, widened to the days the store already knew (an import saw them active).
      if (have.since !== null && (s.since === null || s.since < have.since)) have.since = s.since;
      continue;
    }
    // Not listed upstream (or a role the upstream does not list): kept, one range per login; a departure closes
    // an open range yesterday.
    const until = upstreamGrants && s.until === null && !s.imported ? yesterday : s.until;
    const prev = out.get(k);
    if (!prev) out.set(k, { login: s.login, since: s.since, until });
    else {
      if (prev.since !== null && (s.since === null || s.since < prev.since)) prev.since = s.since;
      if (prev.until !== null && (until === null || until > prev.until)) prev.until = until;
    }
  }
  return [...out.values()]
    .filter((g) => g.since === null || g.until === null || g.since <= g.until)
    .sort((a, b) => (a.login.toLowerCase() < b.login.toLowerCase() ? -1 : 1))
    .map((g) =>
      g.since === null && g.until === null
        ? g.login
        : { login: g.login, ...(g.since ? { since: g.since } : {}), ...(g.until ? { until: g.until } : {}) },
    );
}

const plain = (logins: string[]) => logins.map((login) => ({ login, since: null, until: null }));

/** The directory file (as an object, for `apply` as JSON) that sets the synced scopes. */
export function directoryFile(dir: UpstreamScope[], local: LocalState, today: string): object {
  const yesterday = addDays(today, -1);
  const stored = (scope: string, role: string) =>
    local.grants.filter((g) => g.scope === scope && g.role === role);
  const info = new Map(local.scopes.map((s) => [s.scope, s]));
  const teamsOf = (kind: "team" | "eteam", owner: string, up: UpstreamScope["teams"]) => {
    const prefix = `${kind}:${owner}/`;
    const slugs = new Map<string, string>();
    for (const t of local.teams)
      if (t.scope.startsWith(prefix)) slugs.set(t.scope.slice(prefix.length), t.name);
    for (const t of up) slugs.set(t.slug.toLowerCase(), t.name);
    return [...slugs]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([slug, name]) => {
        const u = up.find((t) => t.slug.toLowerCase() === slug);
        return {
          slug,
          name,
          members: merge(u ? plain(u.members) : [], stored(`${prefix}${slug}`, "member"), yesterday),
        };
      });
  };
  // An organization whose seats the enterprise lists belongs to it.
  const orgEnterprise = new Map<string, string>();
  for (const s of dir)
    if (s.key.startsWith("ent:"))
      for (const seat of s.seats) if (seat.org) orgEnterprise.set(seat.org.toLowerCase(), s.key.slice(4));
  const enterprises = dir
    .filter((s) => s.key.startsWith("ent:"))
    .map((s) => {
      const slug = s.key.slice(4);
      const known = info.get(s.key);
      return {
        slug,
        name: known?.name ?? slug,
        ...(known ? { copilot_metrics_policy: known.policy } : {}),
        owners: merge(null, stored(s.key, "owner"), yesterday),
        billing_managers: merge(null, stored(s.key, "billing_manager"), yesterday),
        members: merge(null, stored(s.key, "member"), yesterday),
        seats: merge(
          s.seats.filter((x) => x.org === null),
          stored(s.key, "seat"),
          yesterday,
        ),
        teams: teamsOf("eteam", slug, s.teams),
      };
    });
  const organizations = dir
    .filter((s) => s.key.startsWith("org:"))
    .map((s) => {
      const login = s.key.slice(4);
      const known = info.get(s.key);
      const enterprise = orgEnterprise.get(login) ?? known?.enterprise ?? null;
      return {
        login,
        ...(known ? { name: known.name, copilot_metrics_policy: known.policy } : {}),
        ...(enterprise ? { enterprise } : {}),
        owners: merge(null, stored(s.key, "owner"), yesterday),
        members: merge(plain(s.members), stored(s.key, "member"), yesterday),
        seats: merge(s.seats, stored(s.key, "seat"), yesterday),
        teams: teamsOf("team", login, s.teams),
      };
    });
  return { enterprises, organizations };
}

/** What the dashboard shows: one of the four metrics scopes and a day range. */

export type ScopeKind = "org" | "team" | "enterprise" | "enterprise-team";

export interface Scope {
  kind: ScopeKind;
  /** Organization login or enterprise slug. */
  owner: string;
  /** Team slug, for the two team kinds. */
  team: string;
}

export interface View extends Scope {
  since: string;
  until: string;
}

export const KIND_LABELS: Record<ScopeKind, string> = {
  org: "Organization",
  team: "Team",
  enterprise: "Enterprise",
  "enterprise-team": "Enterprise team",
};

export const isTeamKind = (k: ScopeKind): boolean => k === "team" || k === "enterprise-team";
export const isEnterpriseKind = (k: ScopeKind): boolean => k === "enterprise" || k === "enterprise-team";

const seg = encodeURIComponent;

/** The metrics route of a scope (docs/metrics-semantics.md, "Scopes and their people"). */
export function metricsPath(s: Scope): string {
  switch (s.kind) {
    case "org":
      return `/orgs/${seg(s.owner)}/copilot/metrics`;
    case "team":
      return `/orgs/${seg(s.owner)}/team/${seg(s.team)}/copilot/metrics`;
    case "enterprise":
      return `/enterprises/${seg(s.owner)}/copilot/metrics`;
    case "enterprise-team":
      return `/enterprises/${seg(s.owner)}/team/${seg(s.team)}/copilot/metrics`;
  }
}

/** The list of teams to offer for a team kind. */
export function teamsPath(s: Scope): string {
  return isEnterpriseKind(s.kind) ? `/enterprises/${seg(s.owner)}/teams` : `/orgs/${seg(s.owner)}/teams`;
}

/** A readable name: `demo-core / backend`. */
export function scopeName(s: Scope): string {
  return isTeamKind(s.kind) ? `${s.owner} / ${s.team}` : s.owner;
}

/** The view as the location hash, so a reload or a shared link (never with the token) shows the same thing. */
export function viewToHash(v: View): string {
  const p = new URLSearchParams({ kind: v.kind, owner: v.owner });
  if (isTeamKind(v.kind)) p.set("team", v.team);
  p.set("since", v.since);
  p.set("until", v.until);
  return `#${p.toString()}`;
}

const KINDS: readonly ScopeKind[] = ["org", "team", "enterprise", "enterprise-team"];

export function viewFromHash(hash: string): Partial<View> {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  const kind = p.get("kind");
  const out: Partial<View> = {};
  if (kind && (KINDS as readonly string[]).includes(kind)) out.kind = kind as ScopeKind;
  for (const key of ["owner", "team", "since", "until"] as const) {
    const value = p.get(key);
    if (value) out[key] = value;
  }
  return out;
}

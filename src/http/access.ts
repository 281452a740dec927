import type { Principal } from "./auth.js";

/** Which of the four metrics routes, and the enterprise/organization it reads. */
export interface Target {
  route: "enterprise" | "enterprise_team" | "org" | "team";
  enterpriseId: number | null;
  orgId: number | null;
}

export type Decision =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; message: string; headers: Record<string, string> };

const ENTERPRISE_SCOPES = ["manage_billing:copilot", "read:enterprise"];
const ORG_SCOPES = ["manage_billing:copilot", "read:org", "read:enterprise"];
const ORG_PERMISSIONS = ["copilot_business", "administration"];

/** Classic scopes that include others, as GitHub grants them. */
const IMPLIED: Record<string, string[]> = {
  "admin:org": ["write:org", "read:org"],
  "write:org": ["read:org"],
  "admin:enterprise": ["manage_billing:enterprise", "read:enterprise"],
  "manage_billing:enterprise": ["read:enterprise"],
};

function effectiveScopes(scopes: readonly string[]): Set<string> {
  const out = new Set<string>();
  const visit = (s: string) => {
    if (out.has(s)) return;
    out.add(s);
    for (const t of IMPLIED[s] ?? []) visit(t);
  };
  for (const s of scopes) visit(s);
  return out;
}

/** What an endpoint asks of a token: classic/oauth scopes (any one), fine-grained/app permissions, and a role. */
export interface Need {
  scopes: readonly string[];
  /** Empty: fine-grained and app tokens are refused (enterprise endpoints). */
  permissions: readonly string[];
  /** admin: org owner, or owner/billing manager of its enterprise; member: any member of the org too; enterprise: owner/billing manager. */
  role: "admin" | "member" | "enterprise";
  roleMessage: string;
}

/** Decides an endpoint's access rule for `p` on the organization or enterprise of `t`. */
export function decide(
  p: Principal,
  t: { enterpriseId: number | null; orgId: number | null },
  need: Need,
): Decision {
  const headers: Record<string, string> = {};
  const deny = (message: string): Decision => ({ ok: false, message, headers });
  if (p.kind === "ingest") {
    return deny(
      "Ingest tokens can only send telemetry (POST /telemetry/v1/events); read metrics with a classic, OAuth, fine-grained or GitHub App token.",
    );
  }
  if (p.kind === "classic" || p.kind === "oauth") {
    headers["x-oauth-scopes"] = p.scopes.join(", ");
    headers["x-accepted-oauth-scopes"] = need.scopes.join(", ");
    const have = effectiveScopes(p.scopes);
    if (!need.scopes.some((s) => have.has(s))) {
      return deny(
        `This endpoint requires one of these scopes: ${need.scopes.join(", ")}; the token has ${
          p.scopes.length ? p.scopes.join(", ") : "no scopes"
        }. Grant one of them to the token.`,
      );
    }
  } else {
    const notAccessible =
      p.kind === "fine_grained"
        ? "Resource not accessible by personal access token"
        : "Resource not accessible by integration";
    if (need.permissions.length === 0) return deny(notAccessible);
    headers["x-accepted-github-permissions"] = need.permissions.map((x) => `${x}=read`).join("; ");
    if (p.resourceOrgId !== t.orgId) return deny(notAccessible);
    if (!need.permissions.some((x) => p.permissions[x] === "read" || p.permissions[x] === "write"))
      return deny(notAccessible);
    if (p.kind === "app_installation") return { ok: true, headers };
  }
  const ent = t.enterpriseId;
  const entRole = ent != null && (p.entOwner.has(ent) || p.entBilling.has(ent));
  const allowed =
    need.role === "enterprise"
      ? entRole
      : entRole ||
        (t.orgId != null &&
          (p.orgOwner.has(t.orgId) || (need.role === "member" && p.orgMember.has(t.orgId))));
  return allowed ? { ok: true, headers } : deny(need.roleMessage);
}

/**
 * Decides whether `p` may read `t`, per the access table of metrics-semantics.md. The answer's headers go on the
 * response whatever the outcome (X-OAuth-Scopes for classic/oauth tokens, X-Accepted-GitHub-Permissions for
 * fine-grained and app tokens).
 */
export function decideRead(p: Principal, t: Target): Decision {
  const enterpriseRoute = t.route === "enterprise" || t.route === "enterprise_team";
  return decide(p, t, {
    scopes: enterpriseRoute ? ENTERPRISE_SCOPES : ORG_SCOPES,
    permissions: enterpriseRoute ? [] : ORG_PERMISSIONS,
    role: enterpriseRoute ? "enterprise" : "admin",
    roleMessage:
      t.route === "enterprise"
        ? "Only enterprise owners and billing managers can view Copilot metrics for the enterprise."
        : t.route === "enterprise_team"
          ? "Only owners and billing managers of the enterprise that contains the enterprise team can view its Copilot metrics."
          : "Only organization owners and owners and billing managers of the parent enterprise can view Copilot metrics for this organization.",
  });
}

import type { Queryable } from "../db/db.js";
import type { TokenKind } from "../directory/model.js";
import { hashToken, sameHash } from "../directory/tokens.js";
import { utcDay } from "../util/time.js";
import { ApiError } from "./errors.js";

/** Who is calling, as far as access decisions go. Roles are those held today. */
export interface Principal {
  /** The stored hash of the token: the key for per-token state such as rate limits. */
  key: string;
  kind: TokenKind;
  userId: number | null;
  login: string | null;
  scopes: string[];
  resourceOrgId: number | null;
  permissions: Record<string, string>;
  entOwner: Set<number>;
  entBilling: Set<number>;
  orgOwner: Set<number>;
  /** Organizations the user is a member (or owner) of today. */
  orgMember: Set<number>;
  /** When the token stops working (epoch ms), if it expires. */
  expiresAt?: number;
}

/** The token in `Authorization: token X` or `Authorization: Bearer X`, or null when there is none. */
export function tokenFromHeader(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^\s*(token|bearer)\s+(\S+)\s*$/i.exec(header);
  return m ? m[2]! : "";
}

interface TokenRow {
  hash: string;
  kind: TokenKind;
  user_id: number | null;
  login: string | null;
  scopes: string[];
  resource_org_id: number | null;
  permissions: Record<string, string>;
  expires_at: string | null;
  revoked_at: string | null;
}

/**
 * Resolves the request's token: 401 `Requires authentication` without one, 401 `Bad credentials` for an
 * unknown, malformed, expired or revoked one.
 */
export async function authenticate(db: Queryable, header: string | undefined, now: Date): Promise<Principal> {
  const secret = tokenFromHeader(header);
  if (secret === null) throw new ApiError("requires_authentication");
  if (secret === "") throw new ApiError("bad_credentials");
  const hash = hashToken(secret);
  const [row] = await db.query<TokenRow>(
    `SELECT t.hash, t.kind, t.user_id, u.login, t.scopes, t.resource_org_id, t.permissions,
            t.expires_at::text, t.revoked_at::text
     FROM tokens t LEFT JOIN users u ON u.id = t.user_id WHERE t.hash = $1`,
    [hash],
  );
  if (!row || !sameHash(row.hash, hash) || row.revoked_at) throw new ApiError("bad_credentials");
  if (row.expires_at && Date.parse(row.expires_at) <= now.getTime()) throw new ApiError("bad_credentials");
  const p: Principal = {
    key: row.hash,
    kind: row.kind,
    userId: row.user_id,
    login: row.login,
    scopes: row.scopes,
    resourceOrgId: row.resource_org_id,
    permissions: row.permissions,
    entOwner: new Set(),
    entBilling: new Set(),
    orgOwner: new Set(),
    orgMember: new Set(),
    ...(row.expires_at ? { expiresAt: Date.parse(row.expires_at) } : {}),
  };
  if (row.user_id != null) {
    const roles = await db.query<{ scope_kind: string; scope_id: number; role: string }>(
      `SELECT scope_kind, scope_id, role FROM grants WHERE user_id = $1 AND role IN ('owner', 'billing_manager', 'member')
       AND (since IS NULL OR since <= $2::date) AND (until IS NULL OR until >= $2::date)`,
      [row.user_id, utcDay(now)],
    );
    for (const r of roles) {
      if (r.scope_kind === "ent" && r.role === "owner") p.entOwner.add(r.scope_id);
      else if (r.scope_kind === "ent" && r.role === "billing_manager") p.entBilling.add(r.scope_id);
      else if (r.scope_kind === "org" && r.role === "owner") p.orgOwner.add(r.scope_id);
      if (r.scope_kind === "org" && (r.role === "owner" || r.role === "member")) p.orgMember.add(r.scope_id);
    }
  }
  return p;
}

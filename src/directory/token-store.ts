import type { Queryable } from "../db/db.js";
import { ADVANCE_DIRECTORY } from "../db/generation.js";
import { compile } from "../schemas/ajv.js";
import {
  LOGIN_RULE,
  ORG_BOUND_KINDS,
  PERSONAL_KINDS,
  SCOPED_KINDS,
  TOKEN_KINDS,
  type TokenKind,
} from "../schemas/common.js";
import { closest } from "../util/suggest.js";
import { parseRfc3339 } from "../util/time.js";
import { KNOWN_PERMISSIONS, KNOWN_SCOPES } from "./token-grants.js";
import { type NewToken, NewTokenSchema, RevokeTokenSchema } from "./token-schema.js";
import { hashToken, newTokenSecret } from "./tokens.js";

/** A token request that does not fit together; the message names the flag to change. */
export class TokenRequestError extends Error {
  /** Its entry of the error catalogue (src/http/errors.ts). */
  readonly catalogueKind = "token_request_invalid";
}

export type { NewToken };

/** What `token list` shows: never the secret, only the first 12 hex digits of its hash as an id. */
export interface TokenInfo {
  id: string;
  kind: TokenKind;
  user: string | null;
  scopes: string[];
  resource_owner: string | null;
  permissions: Record<string, string>;
  expires_at: string | null;
  revoked_at: string | null;
  source: string;
  label: string | null;
  created_at: string;
}

const checkNewToken = compile(NewTokenSchema);

/** Checks a token request the way the directory file checks its tokens section (messages name the flags). */
export function validateNewToken(t: NewToken): void {
  // The schema says what each field is; the order of the messages below is the order a person fixes them in.
  const failed = new Set<string>();
  if (!checkNewToken(t))
    for (const e of checkNewToken.errors ?? []) {
      const field =
        e.instancePath.split("/")[1] ?? String(e.params.additionalProperty ?? e.params.missingProperty);
      failed.add(field);
    }
  if (failed.has("kind")) {
    throw new TokenRequestError(`--kind must be one of ${TOKEN_KINDS.join(", ")}, got "${t.kind}"`);
  }
  const needsUser = PERSONAL_KINDS.includes(t.kind);
  if (needsUser && !t.user) throw new TokenRequestError(`a ${t.kind} token needs --user LOGIN`);
  if (!needsUser && t.user) throw new TokenRequestError(`a ${t.kind} token acts for no user: drop --user`);
  if (t.user && failed.has("user"))
    throw new TokenRequestError(`--user must be a login (${LOGIN_RULE}), got "${t.user}"`);
  if (!SCOPED_KINDS.includes(t.kind) && t.scopes.length > 0)
    throw new TokenRequestError(
      `only classic and oauth tokens have --scopes; use --permissions for ${t.kind}`,
    );
  const orgBound = ORG_BOUND_KINDS.includes(t.kind);
  if (orgBound && !t.resourceOwner)
    throw new TokenRequestError(`a ${t.kind} token acts on one organization: add --resource-owner ORG`);
  if (!orgBound && t.resourceOwner)
    throw new TokenRequestError(
      `only fine_grained, app_user and app_installation tokens take --resource-owner`,
    );
  if (!orgBound && Object.keys(t.permissions).length > 0)
    throw new TokenRequestError(`only fine_grained and app tokens take --permissions`);
  if (t.expiresAt && failed.has("expiresAt"))
    throw new TokenRequestError(
      `--expires-at must be an RFC 3339 timestamp such as 2027-01-01T00:00:00Z, got "${t.expiresAt}"`,
    );
  for (const field of ["scopes", "resourceOwner", "permissions", "label"])
    if (failed.has(field))
      throw new TokenRequestError(`${field} is not valid: see \`pilotlog token create --help\``);
  checkGrantNames(t);
}

/** Scopes and permissions must be names GitHub (or metrics-semantics.md) knows: a typo would grant nothing. */
function checkGrantNames(t: NewToken): void {
  for (const scope of t.scopes) {
    if (KNOWN_SCOPES.includes(scope)) continue;
    const near = closest(scope, KNOWN_SCOPES);
    throw new TokenRequestError(
      `unknown scope ${scope}${near ? `; did you mean ${near}?` : "."} The metrics routes accept read:org, read:enterprise or manage_billing:copilot (GitHub's classic scopes are known)`,
    );
  }
  for (const permission of Object.keys(t.permissions)) {
    if (KNOWN_PERMISSIONS.includes(permission)) continue;
    const near = closest(permission, KNOWN_PERMISSIONS);
    throw new TokenRequestError(
      `unknown permission ${permission}${near ? `; did you mean ${near}?` : "."} The metrics routes accept copilot_business=read or administration=read (GitHub's permission names are known)`,
    );
  }
}

/** Creates a token and returns its secret: the only time it is ever shown. */
export async function createToken(tx: Queryable, t: NewToken): Promise<{ secret: string; id: string }> {
  validateNewToken(t);
  let userId: number | null = null;
  if (t.user) {
    const [row] = await tx.query<{ id: number }>("SELECT id FROM users WHERE login_lower = lower($1)", [
      t.user,
    ]);
    // A token for a login no directory names would create a phantom user (a typo such as "tomm").
    if (!row) throw new TokenRequestError(await unknownUser(tx, t.user));
    userId = row.id;
  }
  let orgId: number | null = null;
  if (t.resourceOwner) {
    const [org] = await tx.query<{ id: number }>(
      "SELECT id FROM organizations WHERE login_lower = lower($1)",
      [t.resourceOwner],
    );
    if (!org)
      throw new TokenRequestError(
        `no organization "${t.resourceOwner}": apply a directory file that defines it first`,
      );
    orgId = org.id;
  }
  await tx.query(ADVANCE_DIRECTORY);
  const secret = newTokenSecret();
  const hash = hashToken(secret);
  await tx.query(
    `INSERT INTO tokens (hash, kind, user_id, scopes, resource_org_id, permissions, expires_at, source, label)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'cli', $8)`,
    [
      hash,
      t.kind,
      userId,
      t.scopes,
      orgId,
      JSON.stringify(t.permissions),
      // As an instant: PostgreSQL would read a leap second (23:59:60) as the next day's 00:00:00.
      t.expiresAt ? parseRfc3339(t.expiresAt)!.toISOString() : null,
      t.label,
    ],
  );
  return { secret, id: hash.slice(0, 12) };
}

/** The message for a `--user` no directory names, with the closest login in the store as a hint. */
async function unknownUser(tx: Queryable, login: string): Promise<string> {
  const near = await tx.query<{ login: string }>(
    "SELECT login FROM users WHERE length(login) BETWEEN $1 AND $2 ORDER BY login_lower",
    [login.length - 2, login.length + 2],
  );
  const hint = closest(
    login,
    near.map((r) => r.login),
  );
  return `no user "${login}" in the directory${hint ? `; did you mean "${hint}"?` : "."} Users come from directory files: add them with \`npx pilotlog apply FILE\` first`;
}

export async function listTokens(db: Queryable): Promise<TokenInfo[]> {
  return db.query<TokenInfo>(
    `SELECT substr(t.hash, 1, 12) AS id, t.kind, u.login AS "user", t.scopes, o.login AS resource_owner, t.permissions,
            t.expires_at::text, t.revoked_at::text, t.source, t.label, t.created_at::text
     FROM tokens t LEFT JOIN users u ON u.id = t.user_id LEFT JOIN organizations o ON o.id = t.resource_org_id
     ORDER BY t.created_at, t.hash`,
  );
}

const checkRevoke = compile(RevokeTokenSchema);

/** A token id as `token list` shows it: checked before anything is opened. */
export function checkTokenId(id: string): void {
  if (!checkRevoke({ id }))
    throw new TokenRequestError(`a token id is 6 to 64 hex digits as \`token list\` shows them, got "${id}"`);
}

/** Revokes the token whose id (hash prefix, at least 6 hex digits) is given; the next request with it gets 401. */
export async function revokeToken(tx: Queryable, id: string, now: Date): Promise<TokenInfo> {
  checkTokenId(id);
  const rows = await tx.query<{ hash: string }>("SELECT hash FROM tokens WHERE hash LIKE $1 || '%'", [id]);
  if (rows.length === 0)
    throw new TokenRequestError(`no token with id ${id}: see \`npx pilotlog token list\``);
  if (rows.length > 1)
    throw new TokenRequestError(`id ${id} matches ${rows.length} tokens: give more digits`);
  await tx.query(ADVANCE_DIRECTORY);
  await tx.query("UPDATE tokens SET revoked_at = coalesce(revoked_at, $2) WHERE hash = $1", [
    rows[0]!.hash,
    now.toISOString(),
  ]);
  const [info] = (await listTokens(tx)).filter((t) => rows[0]!.hash.startsWith(t.id));
  return info!;
}

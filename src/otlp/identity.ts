import type { Queryable } from "../db/db.js";
import { LOGIN_RE } from "../schemas/common.js";
import type { Lookup } from "./match.js";

/** Who the request's items may belong to: the token's user, or (an ingest token) whoever each item names. */
export type Sender = { kind: "user"; login: string } | { kind: "relay" };

const LOGIN_ATTRS = ["enduser.id", "github.login"] as const;

/** The identity an item carries: a login, an e-mail to look up, or why it has none. */
export type Claim = { login: string } | { email: string } | { error: string };

/**
 * spec/otlp-ingest.md "Who the activity belongs to": a user's token owns everything; with an ingest token the
 * item's `enduser.id` or `github.login` (the item's attributes before the resource's, as `look` orders them),
 * else its `user.email`; otherwise nothing, and the item is refused, never guessed.
 */
export function claimOf(sender: Sender, look: Lookup): Claim {
  if (sender.kind === "user") return { login: sender.login };
  for (const key of LOGIN_ATTRS) {
    const v = look(key);
    if (v === undefined || v === "") continue;
    if (typeof v !== "string" || !LOGIN_RE.test(v))
      return {
        error: `${key} ${JSON.stringify(String(v)).slice(0, 60)} is not a GitHub login (1–39 letters, digits or "-")`,
      };
    return { login: v };
  }
  const email = look("user.email");
  if (typeof email === "string" && email.includes("@")) return { email: email.trim().toLowerCase() };
  return {
    error:
      "no user: with an ingest token each item needs enduser.id or github.login (e.g. OTEL_RESOURCE_ATTRIBUTES=enduser.id=<login>), or a user.email listed under the user's emails in the directory file; or send with the developer's own token",
  };
}

/** The logins of the directory's users known by these e-mails (lowercase). */
export async function loginsByEmail(db: Queryable, emails: readonly string[]): Promise<Map<string, string>> {
  if (emails.length === 0) return new Map();
  const rows = await db.query<{ email_lower: string; login: string }>(
    `SELECT e.email_lower, u.login FROM user_emails e JOIN users u ON u.id = e.user_id
     WHERE e.email_lower = ANY($1::text[])`,
    [[...new Set(emails)]],
  );
  return new Map(rows.map((r) => [r.email_lower, r.login]));
}

/**
 * The rules every contract shares, written once: logins and slugs, days, token kinds, scope and permission names.
 * Each is a TypeBox schema (its TypeScript type is `Static<typeof X>`) and, where hand-written hot paths test it
 * directly, the same rule as a RegExp built from the schema's pattern.
 */
import { type Static, Type } from "typebox";

/** GitHub's login (user, organization), enterprise slug and team slug: 1–39 letters, digits or `-`. */
export const LOGIN_PATTERN = "^[A-Za-z0-9-]{1,39}$";
export const LOGIN_RE = new RegExp(LOGIN_PATTERN);
/** How a message describes a login. */
export const LOGIN_RULE = '1–39 letters, digits or "-"';
export const Login = Type.String({ pattern: LOGIN_PATTERN });

/** A model, editor or language name: 1–64 letters, digits or `._+#-`. */
export const NAME_PATTERN = "^[A-Za-z0-9._+#-]{1,64}$";
export const NAME_RE = new RegExp(NAME_PATTERN);
export const Name = Type.String({ pattern: NAME_PATTERN });

/** `owner/name` as GitHub writes a repository; the name is never `.` or `..` (path segments). */
export const REPOSITORY_PATTERN = "^[A-Za-z0-9-]{1,39}/(?!\\.\\.?$)[A-Za-z0-9._-]{1,100}$";
export const REPOSITORY_RE = new RegExp(REPOSITORY_PATTERN);

/** A calendar day `YYYY-MM-DD` (format checked in code: 2026-02-30 is no day). */
export const Day = Type.String({ format: "day" });
/** An RFC 3339 timestamp. */
export const Timestamp = Type.String({ format: "rfc3339" });

/** The kinds of token pilotlog knows (metrics-semantics.md). */
export const TOKEN_KINDS = [
  "classic",
  "oauth",
  "fine_grained",
  "app_user",
  "app_installation",
  "ingest",
] as const;
/** `type` beside `enum`: a number is then "must be string", not "must be one of". */
export const TokenKindSchema = Type.Unsafe<(typeof TOKEN_KINDS)[number]>({
  type: "string",
  enum: [...TOKEN_KINDS],
});
export type TokenKind = Static<typeof TokenKindSchema>;

/** Kinds that act for a user (`user` / `--user` required). */
export const PERSONAL_KINDS: readonly TokenKind[] = ["classic", "oauth", "fine_grained", "app_user"];
/** Kinds that carry scopes. */
export const SCOPED_KINDS: readonly TokenKind[] = ["classic", "oauth"];
/** Kinds that act on one organization (`resource_owner` required) and carry permissions. */
export const ORG_BOUND_KINDS: readonly TokenKind[] = ["fine_grained", "app_user", "app_installation"];

/** A classic scope name as written: `read:org`, `manage_billing:copilot`. */
export const SCOPE_PATTERN = "^[a-z_:]{1,64}$";
export const ScopeName = Type.String({ pattern: SCOPE_PATTERN });
/** A permission name of a fine-grained token or app: `copilot_business`, `administration`. */
export const PERMISSION_PATTERN = "^[a-z_]{1,64}$";
export const PermissionAccess = Type.Unsafe<"read" | "write">({ type: "string", enum: ["read", "write"] });
export type PermissionAccess = Static<typeof PermissionAccess>;

/** A token's id as `token list` shows it: the first 6 to 64 hex digits of its hash. */
export const TOKEN_ID_PATTERN = "^[0-9a-f]{6,64}$";
export const TokenId = Type.String({ pattern: TOKEN_ID_PATTERN });

/**
 * A string or null, as one JSON Schema type list (`["string", "null"]`): ajv then says "must be string or null"
 * where a union would give two messages.
 */
export function NullableString(options: { maxLength?: number; pattern?: string; format?: string } = {}) {
  return Type.Unsafe<string | null>({ type: ["string", "null"], ...options });
}

/** What a pattern or format of these schemas means, for messages that name the rule rather than the regex. */
export const RULE_TEXT: Readonly<Record<string, string>> = {
  [LOGIN_PATTERN]: `a login (${LOGIN_RULE})`,
  [NAME_PATTERN]: "1–64 letters, digits or ._+#-",
  [TOKEN_ID_PATTERN]: "a token id: 6 to 64 hex digits as `token list` shows them",
  day: "a date written YYYY-MM-DD such as 2026-11-19",
  rfc3339: "an RFC 3339 timestamp such as 2026-11-20T12:00:00Z",
};

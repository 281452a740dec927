/**
 * The directory file's schema (spec/directory-file.md), in TypeBox: the file's TypeScript type is `Static` of it,
 * ajv validates it (validate.ts), and each node names, in `x-error`, which of the file's messages describes a
 * value that does not fit it. What one node cannot say (duplicates, references, a token kind's fields, until
 * before since) is checked by validate.ts on the validated file.
 */
import { type Static, type TSchema, Type } from "typebox";
import {
  LOGIN_PATTERN,
  NAME_PATTERN,
  PERMISSION_PATTERN,
  SCOPE_PATTERN,
  TOKEN_KINDS,
} from "../schemas/common.js";

/** Which message a node's failure gets (validate.ts writes them); `what` names the kind of login. */
export type ErrorNote =
  | { kind: "mapping" | "list" | "day" | "text" | "one-of" | "boolean" | "email" | "model" }
  | { kind: "secret" | "scope" | "permissions" | "permission" | "access" | "timestamp" }
  | { kind: "login"; what: string };

const note = (n: ErrorNote) => ({ "x-error": n });

/** `null` means "not given" here, as an absent field does. */
function nullable<T extends TSchema>(schema: T) {
  return Type.Unsafe<Static<T> | null>({ if: { type: "null" }, else: schema });
}

const login = (what = "login") => Type.String({ pattern: LOGIN_PATTERN, ...note({ kind: "login", what }) });
const list = <T extends TSchema>(items: T) => nullable(Type.Array(items, note({ kind: "list" })));
const mapping = <P extends Record<string, TSchema>>(properties: P) =>
  Type.Object(properties, { additionalProperties: false, ...note({ kind: "mapping" }) });
const day = nullable(Type.String({ format: "storable-day", ...note({ kind: "day" }) }));
const text = nullable(Type.String({ format: "display-name", ...note({ kind: "text" }) }));
const oneOf = <const V extends string[]>(values: readonly [...V]) =>
  nullable(Type.Enum(values, note({ kind: "one-of" })));

/** A membership or seat: a plain login (for all time) or a mapping with optional bounds. */
function grant<P extends Record<string, TSchema>>(extra: P) {
  const object = mapping({
    login: login(),
    since: Type.Optional(day),
    until: Type.Optional(day),
    ...extra,
  });
  return Type.Unsafe<string | Static<typeof object>>({
    if: { type: "string" },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else, not a promise
    then: login(),
    else: object,
  });
}
const Grant = grant({});
const SeatGrant = grant({ assigning_team: Type.Optional(login("team slug")) });

const Team = mapping({
  slug: login("team slug"),
  name: Type.Optional(text),
  members: Type.Optional(list(Grant)),
});

const Enterprise = mapping({
  slug: login("enterprise slug"),
  name: Type.Optional(text),
  copilot_metrics_policy: Type.Optional(oneOf(["enabled", "disabled", "no_policy"])),
  owners: Type.Optional(list(Grant)),
  billing_managers: Type.Optional(list(Grant)),
  seats: Type.Optional(list(Grant)),
  members: Type.Optional(list(Grant)),
  teams: Type.Optional(list(Team)),
});

const Organization = mapping({
  login: login("organization login"),
  name: Type.Optional(text),
  enterprise: Type.Optional(nullable(login("enterprise slug"))),
  copilot_metrics_policy: Type.Optional(oneOf(["enabled", "disabled"])),
  owners: Type.Optional(list(Grant)),
  members: Type.Optional(list(Grant)),
  seats: Type.Optional(list(SeatGrant)),
  teams: Type.Optional(list(Team)),
});

const User = mapping({
  login: login(),
  telemetry: Type.Optional(Type.Boolean(note({ kind: "boolean" }))),
  emails: Type.Optional(list(Type.String({ format: "email-address", ...note({ kind: "email" }) }))),
});

const CustomModel = mapping({
  name: Type.String({ pattern: NAME_PATTERN, ...note({ kind: "model" }) }),
  training_date: Type.Optional(day),
  owner: Type.Optional(nullable(login("organization or enterprise"))),
});

/** Which fields a token of each kind may have is checked in validate.ts (with messages naming the kind). */
const Token = mapping({
  token: Type.String({ pattern: "^\\S{8,255}$", ...note({ kind: "secret" }) }),
  user: Type.Optional(login()),
  kind: Type.Enum(TOKEN_KINDS, note({ kind: "one-of" })),
  scopes: Type.Optional(list(Type.String({ pattern: SCOPE_PATTERN, ...note({ kind: "scope" }) }))),
  resource_owner: Type.Optional(login("organization login")),
  // Keys are stored as jsonb: a NUL (or any odd key) would fail there, after validation said yes.
  permissions: Type.Optional(
    Type.Unsafe<Record<string, "read" | "write">>({
      type: "object",
      propertyNames: { pattern: PERMISSION_PATTERN, ...note({ kind: "permission" }) },
      additionalProperties: Type.Enum(["read", "write"], note({ kind: "access" })),
      ...note({ kind: "permissions" }),
    }),
  ),
  expires_at: Type.Optional(
    nullable(Type.String({ format: "storable-rfc3339", ...note({ kind: "timestamp" }) })),
  ),
});

/** The whole file (an empty file is `null`, taken as an empty directory before validation). */
export const DirectoryFileSchema = mapping({
  enterprises: Type.Optional(list(Enterprise)),
  organizations: Type.Optional(list(Organization)),
  users: Type.Optional(list(User)),
  custom_models: Type.Optional(list(CustomModel)),
  tokens: Type.Optional(list(Token)),
});

/** A directory file as written (snake_case, plain logins or grant mappings), once it has passed the schema. */
export type DirectoryFileInput = Static<typeof DirectoryFileSchema>;
export type EnterpriseInput = Static<typeof Enterprise>;
export type OrganizationInput = Static<typeof Organization>;
export type TeamInput = Static<typeof Team>;
export type UserInput = Static<typeof User>;
export type CustomModelInput = Static<typeof CustomModel>;
export type TokenInput = Static<typeof Token>;
export type GrantInput = Static<typeof SeatGrant>;

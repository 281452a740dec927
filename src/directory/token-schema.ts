/**
 * A token request (`pilotlog token create`, `POST /_pilotlog/admin/tokens/create`): one TypeBox schema gives its
 * type, the admin route's body schema (with its defaults) and the CLI's check (token-store.ts `validateNewToken`).
 */
import { type Static, Type } from "typebox";
import {
  LOGIN_PATTERN,
  NullableString,
  PermissionAccess,
  TokenId,
  TokenKindSchema,
} from "../schemas/common.js";

export const NewTokenSchema = Type.Object(
  {
    kind: TokenKindSchema,
    user: Type.Optional({ ...NullableString({ maxLength: 1000, pattern: LOGIN_PATTERN }), default: null }),
    scopes: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100, default: [] })),
    resourceOwner: Type.Optional({ ...NullableString({ maxLength: 1000 }), default: null }),
    permissions: Type.Optional(
      Type.Unsafe<Record<string, PermissionAccess>>({
        type: "object",
        additionalProperties: PermissionAccess,
        maxProperties: 100,
        default: {},
      }),
    ),
    expiresAt: Type.Optional({ ...NullableString({ maxLength: 1000, format: "rfc3339" }), default: null }),
    label: Type.Optional({ ...NullableString({ maxLength: 1000 }), default: null }),
  },
  { additionalProperties: false },
);

type Sent = Static<typeof NewTokenSchema>;
/** A token request once the schema's defaults are in: every field present. */
export type NewToken = { [K in keyof Sent]-?: Exclude<Sent[K], undefined> };

export const RevokeTokenSchema = Type.Object({ id: TokenId }, { additionalProperties: false });
export type RevokeToken = Static<typeof RevokeTokenSchema>;

/** The directory as a parsed, validated file describes it (spec/directory-file.md). */

/** A membership or seat: holds on days `since <= day <= until` (null = unbounded). */
export interface Grant {
  login: string;
  since: string | null;
  until: string | null;
  /** Seats only: the slug of the organization's team that assigned the seat (GitHub's assigning_team). */
  assigningTeam?: string;
}

export type EnterprisePolicy = "enabled" | "disabled" | "no_policy";
export type OrgPolicy = "enabled" | "disabled";

export interface TeamSpec {
  slug: string;
  name: string;
  members: Grant[];
}

export interface EnterpriseSpec {
  slug: string;
  name: string;
  policy: EnterprisePolicy;
  owners: Grant[];
  billingManagers: Grant[];
  seats: Grant[];
  members: Grant[];
  teams: TeamSpec[];
}

export interface OrgSpec {
  login: string;
  name: string;
  /** Slug of its enterprise, or null. */
  enterprise: string | null;
  policy: OrgPolicy;
  owners: Grant[];
  members: Grant[];
  seats: Grant[];
  teams: TeamSpec[];
}

export interface UserSpec {
  login: string;
  telemetry: boolean;
  /** E-mail addresses the user is known by, lowercase (OTLP items naming `user.email` are theirs). */
  emails: string[];
}

export interface CustomModelSpec {
  name: string;
  trainingDate: string | null;
  /** The organization login or enterprise slug that owns it, or null. */
  owner: string | null;
}

import type { TokenKind } from "../schemas/common.js";

export { TOKEN_KINDS, type TokenKind } from "../schemas/common.js";

export interface TokenSpec {
  /** The secret as written in the file; only its hash is stored. */
  token: string;
  user: string | null;
  kind: TokenKind;
  /** classic and oauth */
  scopes: string[];
  /** fine_grained, app_user and app_installation: the organization login they act on. */
  resourceOwner: string | null;
  /** fine_grained, app_user and app_installation: permission name → "read" | "write". */
  permissions: Record<string, "read" | "write">;
  expiresAt: string | null;
}

/** One problem of a directory file: where it is and what to do about it. */
export interface DirectoryIssue {
  file: string;
  path: string;
  reason: string;
}

export interface DirectoryFile {
  enterprises: EnterpriseSpec[];
  organizations: OrgSpec[];
  users: UserSpec[];
  customModels: CustomModelSpec[];
  tokens: TokenSpec[];
}

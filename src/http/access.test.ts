import { describe, expect, it } from "vitest";
import type { TokenKind } from "../directory/model.js";
import { decideRead, type Target } from "./access.js";
import type { Principal } from "./auth.js";

// Enterprise 1 owns org 10; org 20 has no enterprise.
const ENT: Target = { route: "enterprise", enterpriseId: 1, orgId: null };
const ETEAM: Target = { route: "enterprise_team", enterpriseId: 1, orgId: null };
const ORG: Target = { route: "org", enterpriseId: 1, orgId: 10 };
const TEAM: Target = { route: "team", enterpriseId: 1, orgId: 10 };
const LONE: Target = { route: "org", enterpriseId: null, orgId: 20 };

type Role = "ent_owner" | "ent_billing" | "org_owner" | "lone_owner" | "none";

function principal(kind: TokenKind, role: Role, extra: Partial<Principal> = {}): Principal {
  return {
    key: "k",
    kind,
    userId: kind === "app_installation" || kind === "ingest" ? null : 1,
    login: "u",
    scopes: [],
    resourceOrgId: null,
    permissions: {},
    entOwner: new Set(role === "ent_owner" ? [1] : []),
    entBilling: new Set(role === "ent_billing" ? [1] : []),
    orgOwner: new Set(role === "org_owner" ? [10] : role === "lone_owner" ? [20] : []),
    orgMember: new Set(role === "org_owner" ? [10] : role === "lone_owner" ? [20] : []),
    ...extra,
  };
}

const PAT = "Resource not accessible by personal access token";
const INTEGRATION = "Resource not accessible by integration";

// [token, role, target, allowed, message fragment when refused]
const rows: [string, Principal, Target, boolean, string?][] = [];
for (const kind of ["classic", "oauth"] as const) {
  for (const scope of ["manage_billing:copilot", "read:enterprise", "admin:enterprise"]) {
    rows.push([`${kind} ${scope} ent owner`, principal(kind, "ent_owner", { scopes: [scope] }), ENT, true]);
    rows.push([
      `${kind} ${scope} billing manager`,
      principal(kind, "ent_billing", { scopes: [scope] }),
      ETEAM,
      true,
    ]);
    rows.push([
      `${kind} ${scope} org owner on ent`,
      principal(kind, "org_owner", { scopes: [scope] }),
      ENT,
      false,
      "Only enterprise owners",
    ]);
    rows.push([
      `${kind} ${scope} ent owner reads org`,
      principal(kind, "ent_owner", { scopes: [scope] }),
      ORG,
      true,
    ]);
  }
  for (const scope of ["read:org", "admin:org", "write:org"]) {
    rows.push([
      `${kind} ${scope} on ent`,
      principal(kind, "ent_owner", { scopes: [scope] }),
      ENT,
      false,
      "requires one of these scopes",
    ]);
    rows.push([`${kind} ${scope} org owner`, principal(kind, "org_owner", { scopes: [scope] }), ORG, true]);
    rows.push([
      `${kind} ${scope} org owner team`,
      principal(kind, "org_owner", { scopes: [scope] }),
      TEAM,
      true,
    ]);
    rows.push([
      `${kind} ${scope} billing manager team`,
      principal(kind, "ent_billing", { scopes: [scope] }),
      TEAM,
      true,
    ]);
    rows.push([
      `${kind} ${scope} member`,
      principal(kind, "none", { scopes: [scope] }),
      ORG,
      false,
      "Only organization owners",
    ]);
    rows.push([
      `${kind} ${scope} other org owner`,
      principal(kind, "lone_owner", { scopes: [scope] }),
      ORG,
      false,
      "Only organization owners",
    ]);
    rows.push([
      `${kind} ${scope} lone owner`,
      principal(kind, "lone_owner", { scopes: [scope] }),
      LONE,
      true,
    ]);
  }
  rows.push([
    `${kind} repo only`,
    principal(kind, "org_owner", { scopes: ["repo"] }),
    ORG,
    false,
    "the token has repo",
  ]);
  rows.push([`${kind} no scopes`, principal(kind, "org_owner"), ORG, false, "no scopes"]);
}
for (const kind of ["fine_grained", "app_user", "app_installation"] as const) {
  const refusal = kind === "fine_grained" ? PAT : INTEGRATION;
  for (const perm of ["copilot_business", "administration"]) {
    for (const level of ["read", "write"]) {
      const p = (role: Role, org = 10) =>
        principal(kind, role, { resourceOrgId: org, permissions: { [perm]: level } });
      rows.push([`${kind} ${perm}:${level} ent`, p("ent_owner"), ENT, false, refusal]);
      rows.push([`${kind} ${perm}:${level} eteam`, p("ent_owner"), ETEAM, false, refusal]);
      rows.push([`${kind} ${perm}:${level} org owner`, p("org_owner"), ORG, true]);
      rows.push([`${kind} ${perm}:${level} team`, p("org_owner"), TEAM, true]);
      rows.push([`${kind} ${perm}:${level} other org`, p("org_owner", 20), ORG, false, refusal]);
      rows.push([
        `${kind} ${perm}:${level} member`,
        p("none"),
        ORG,
        kind === "app_installation",
        kind === "app_installation" ? undefined : "Only organization owners",
      ]);
    }
  }
  rows.push([
    `${kind} members permission`,
    principal(kind, "org_owner", { resourceOrgId: 10, permissions: { members: "read" } }),
    ORG,
    false,
    refusal,
  ]);
}
for (const target of [ENT, ETEAM, ORG, TEAM]) {
  rows.push([
    `ingest on ${target.route}`,
    principal("ingest", "ent_owner"),
    target,
    false,
    "Ingest tokens can only send telemetry",
  ]);
}

describe("decideRead: the access table of metrics-semantics.md", () => {
  it.each(rows)("%s", (_name, p, target, allowed, message) => {
    const d = decideRead(p, target);
    expect(d.ok).toBe(allowed);
    if (!d.ok && message) expect(d.message).toContain(message);
  });

  it("lists scopes on classic and oauth answers, and permissions on fine-grained ones", () => {
    const classic = decideRead(principal("classic", "org_owner", { scopes: ["read:org", "repo"] }), ORG);
    expect(classic.headers).toEqual({
      "x-oauth-scopes": "read:org, repo",
      "x-accepted-oauth-scopes": "manage_billing:copilot, read:org, read:enterprise",
    });
    const fine = decideRead(
      principal("fine_grained", "org_owner", {
        resourceOrgId: 10,
        permissions: { copilot_business: "read" },
      }),
      ORG,
    );
    expect(fine.headers).toEqual({
      "x-accepted-github-permissions": "copilot_business=read; administration=read",
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";
import { assertErrorBody, assertMetricsBody } from "./helpers/schema.js";

/*
 * The access table of metrics-semantics.md, written out by hand: every token kind × scope or permission × role ×
 * route × policy state. ent-a has no policy; ent-off is disabled; ent-on is enabled (overriding org-on's disabled).
 */
const WORLD = `
enterprises:
  - { slug: ent-a, owners: [eo], billing_managers: [bm], teams: [{ slug: et, members: [m1] }] }
  - { slug: ent-off, copilot_metrics_policy: disabled, owners: [eo2] }
  - { slug: ent-on, copilot_metrics_policy: enabled, owners: [eo3] }
organizations:
  - { login: org-a, enterprise: ent-a, owners: [oo], members: [m1], teams: [{ slug: t, members: [m1] }] }
  - { login: org-off, enterprise: ent-a, copilot_metrics_policy: disabled, owners: [oo], members: [m1] }
  - { login: org-x, enterprise: ent-off, owners: [oo] }
  - { login: org-on, enterprise: ent-on, copilot_metrics_policy: disabled, owners: [oo] }
  - { login: lone, owners: [oo] }
tokens:
  - { token: c_eo_billing, kind: classic, user: eo, scopes: [manage_billing:copilot] }
  - { token: c_eo_readorg, kind: classic, user: eo, scopes: [read:org] }
  - { token: c_bm_readent, kind: classic, user: bm, scopes: [read:enterprise] }
  - { token: o_eo_readent, kind: oauth, user: eo, scopes: [read:enterprise] }
  - { token: c_oo_readorg, kind: classic, user: oo, scopes: [read:org] }
  - { token: o_oo_adminorg, kind: oauth, user: oo, scopes: [admin:org] }
  - { token: c_oo_repo, kind: classic, user: oo, scopes: [repo] }
  - { token: c_m1_readorg, kind: classic, user: m1, scopes: [read:org] }
  - { token: f_oo_orga, kind: fine_grained, user: oo, resource_owner: org-a, permissions: { copilot_business: read } }
  - { token: f_oo_lone, kind: fine_grained, user: oo, resource_owner: lone, permissions: { administration: read } }
  - { token: f_m1_orga, kind: fine_grained, user: m1, resource_owner: org-a, permissions: { copilot_business: read } }
  - { token: f_oo_members, kind: fine_grained, user: oo, resource_owner: org-a, permissions: { members: read } }
  - { token: au_oo_orga, kind: app_user, user: oo, resource_owner: org-a, permissions: { administration: write } }
  - { token: ai_org_a, kind: app_installation, resource_owner: org-a, permissions: { copilot_business: read } }
  - { token: ai_members, kind: app_installation, resource_owner: org-a, permissions: { members: read } }
  - { token: ing_relay, kind: ingest }
  - { token: c_oo_expired, kind: classic, user: oo, scopes: [read:org], expires_at: 2026-01-01T00:00:00Z }
`;

const ROUTES = {
  E: "/enterprises/ent-a/copilot/metrics",
  ET: "/enterprises/ent-a/team/et/copilot/metrics",
  O: "/orgs/org-a/copilot/metrics",
  T: "/orgs/ORG-A/team/t/copilot/metrics",
  OFF: "/orgs/org-off/copilot/metrics",
  X: "/orgs/org-x/copilot/metrics",
  ON: "/orgs/org-on/copilot/metrics",
  LONE: "/api/v3/orgs/lone/copilot/metrics",
  EOFF: "/enterprises/ent-off/copilot/metrics",
  E404: "/enterprises/nope/copilot/metrics",
  ET404: "/enterprises/ent-a/team/nope/copilot/metrics",
  O404: "/orgs/nope/copilot/metrics",
  T404: "/orgs/org-a/team/nope/copilot/metrics",
} as const;

// Outcome codes: 200; 422 policy; 404; NA 401 Requires authentication; BC 401 Bad credentials; S 403 missing
// scope; RE 403 not an enterprise owner/billing manager; RO 403 not an org owner (nor ent owner/billing manager);
// P 403 fine-grained refused; I 403 app token refused; G 403 ingest token.
const TABLE = `
token          E    ET   O    T    OFF  X    ON   LONE EOFF E404 ET404 O404 T404
c_eo_billing   200  200  200  200  422  RO   RO   RO   RE   404  404   404  404
c_eo_readorg   S    S    200  200  422  RO   RO   RO   S    404  404   404  404
c_bm_readent   200  200  200  200  422  RO   RO   RO   RE   404  404   404  404
o_eo_readent   200  200  200  200  422  RO   RO   RO   RE   404  404   404  404
c_oo_readorg   S    S    200  200  422  422  200  200  S    404  404   404  404
o_oo_adminorg  S    S    200  200  422  422  200  200  S    404  404   404  404
c_oo_repo      S    S    S    S    S    S    S    S    S    404  404   404  404
c_m1_readorg   S    S    RO   RO   RO   RO   RO   RO   S    404  404   404  404
f_oo_orga      P    P    200  200  P    P    P    P    P    404  404   404  404
f_oo_lone      P    P    P    P    P    P    P    200  P    404  404   404  404
f_m1_orga      P    P    RO   RO   P    P    P    P    P    404  404   404  404
f_oo_members   P    P    P    P    P    P    P    P    P    404  404   404  404
au_oo_orga     I    I    200  200  I    I    I    I    I    404  404   404  404
ai_org_a        I    I    200  200  I    I    I    I    I    404  404   404  404
ai_members     I    I    I    I    I    I    I    I    I    404  404   404  404
ing_relay      G    G    G    G    G    G    G    G    G    404  404   404  404
c_oo_expired   BC   BC   BC   BC   BC   BC   BC   BC   BC   BC   BC    BC   BC
-              NA   NA   NA   NA   NA   NA   NA   NA   NA   NA   NA    NA   NA
not_a_token    BC   BC   BC   BC   BC   BC   BC   BC   BC   BC   BC    BC   BC
`;

const OUTCOMES: Record<string, [number, string | null]> = {
  "200": [200, null],
  "422": [422, "Copilot Usage Metrics API setting is disabled"],
  "404": [404, "Not Found"],
  NA: [401, "Requires authentication"],
  BC: [401, "Bad credentials"],
  S: [403, "requires one of these scopes"],
  RE: [403, "billing managers"],
  RO: [403, "Only organization owners"],
  P: [403, "Resource not accessible by personal access token"],
  I: [403, "Resource not accessible by integration"],
  G: [403, "Ingest tokens can only send telemetry"],
};

const [header, ...lines] = TABLE.trim().split("\n");
const columns = header!.trim().split(/\s+/).slice(1) as (keyof typeof ROUTES)[];
const rows = lines.flatMap((line) => {
  const [token, ...codes] = line.trim().split(/\s+/);
  return codes.map((code, i) => ({ token: token!, route: columns[i]!, code: code! }));
});

for (const backend of backends) {
  describe(`access matrix on ${backend.name} (${rows.length} rows)`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, "2026-11-20T12:00:00Z");
      await h.apply(WORLD);
    });
    afterAll(() => h?.close());

    it.each(rows)("$token on $route → $code", async ({ token, route, code }) => {
      const res = await h.get(ROUTES[route], token === "-" ? undefined : token);
      const body = (await res.json()) as { message?: string };
      const [status, message] = OUTCOMES[code]!;
      expect(res.status).toBe(status);
      if (status === 200) assertMetricsBody(body);
      else {
        assertErrorBody(body);
        expect(body.message).toContain(message);
      }
      const kind = token.split("_")[0];
      if ((kind === "c" || kind === "o") && status !== 401 && status !== 404) {
        expect(res.headers.get("x-oauth-scopes")).not.toBeNull();
        expect(res.headers.get("x-accepted-oauth-scopes")).toBe(
          route.startsWith("E")
            ? "manage_billing:copilot, read:enterprise"
            : "manage_billing:copilot, read:org, read:enterprise",
        );
      }
      if (
        (kind === "f" || kind === "au" || kind === "ai") &&
        !route.startsWith("E") &&
        status !== 401 &&
        status !== 404
      ) {
        expect(res.headers.get("x-accepted-github-permissions")).toBe(
          "copilot_business=read; administration=read",
        );
      }
    });

    it("finds an enterprise by its numeric id too", async () => {
      const [{ id }] = (await h.db.query<{ id: number }>(
        "SELECT id FROM enterprises WHERE slug = 'ent-a'",
      )) as [{ id: number }];
      expect((await h.get(`/enterprises/${id}/copilot/metrics`, "c_eo_billing")).status).toBe(200);
    });
  });
}

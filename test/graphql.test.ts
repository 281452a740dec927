import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";

/** POST /graphql: an enterprise's organizations, the one query dashboards send beside the reports. */
const DIRECTORY = `
enterprises:
  - slug: acme
    name: Acme Inc
    owners: [boss]
organizations:
  - { login: beta-org, name: Beta, enterprise: acme, owners: [owner1] }
  - { login: Alpha-Org, name: Alpha, enterprise: acme }
  - { login: gamma-org, name: Gamma, enterprise: acme }
  - { login: lone-org, name: Lone }
tokens:
  - { token: tok_boss, user: boss, kind: classic, scopes: [read:enterprise] }
  - { token: tok_owner1, user: owner1, kind: classic, scopes: [read:org, read:enterprise] }
`;

const QUERY = `query($slug: String!, $first: Int, $after: String) {
  enterprise(slug: $slug) {
    organizations(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { login name }
    }
  }
}`;

interface Page {
  enterprise: {
    organizations: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: { login: string; name: string }[];
    };
  };
}

for (const backend of backends) {
  describe(`GraphQL on ${backend.name}`, () => {
    let h: Harness;
    const kit = (token: string, prefix = "") => new Octokit({ baseUrl: `${h.url}${prefix}`, auth: token });
    const post = (body: unknown, token = "tok_boss", path = "/graphql") =>
      fetch(`${h.url}${path}`, {
        method: "POST",
        headers: { authorization: `bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    beforeAll(async () => {
      h = await startHarness(backend, "2026-11-20T12:00:00Z");
      await h.apply(DIRECTORY);
    });
    afterAll(() => h?.close());

    it("pages through the enterprise's organizations with octokit.graphql, ordered by login", async () => {
      const one = await kit("tok_boss").graphql<Page>(QUERY, { slug: "ACME", first: 2 });
      expect(one.enterprise.organizations).toMatchObject({
        totalCount: 3,
        pageInfo: { hasNextPage: true },
        nodes: [
          { login: "Alpha-Org", name: "Alpha" },
          { login: "beta-org", name: "Beta" },
        ],
      });
      const two = await kit("tok_boss").graphql<Page>(QUERY, {
        slug: "acme",
        first: 2,
        after: one.enterprise.organizations.pageInfo.endCursor,
      });
      expect(two.enterprise.organizations).toMatchObject({
        totalCount: 3,
        pageInfo: { hasNextPage: false },
        nodes: [{ login: "gamma-org", name: "Gamma" }],
      });
      // GitHub Enterprise Server's path answers the same.
      const ghes = await (
        await post({ query: QUERY, variables: { slug: "acme", first: 5 } }, "tok_boss", "/api/graphql")
      ).json();
      expect((ghes as { data: Page }).data.enterprise.organizations.totalCount).toBe(3);
    });

    it("answers GraphQL's error shape for an unknown enterprise, a refused caller and anything outside the schema", async () => {
      const missing = (await (
        await post({ query: QUERY, variables: { slug: "nope", first: 5 } })
      ).json()) as Record<string, unknown>;
      expect(missing).toEqual({
        data: { enterprise: null },
        errors: [
          {
            type: "NOT_FOUND",
            message: "Could not resolve to an Enterprise with the slug of 'nope'.",
            locations: [{ line: 2, column: 3 }],
            path: ["enterprise"],
          },
        ],
      });
      const refused = (await (
        await post({ query: QUERY, variables: { slug: "acme", first: 5 } }, "tok_owner1")
      ).json()) as {
        errors: { type: string; message: string }[];
      };
      expect(refused.errors[0]).toMatchObject({
        type: "FORBIDDEN",
        message: expect.stringContaining("enterprise owners"),
      });
      const other = await post({ query: "{ viewer { login } }" });
      expect(other.status).toBe(200);
      expect(((await other.json()) as { errors: { message: string }[] }).errors[0]!.message).toBe(
        'Cannot query field "viewer" on type "Query".',
      );
      const noFirst = (await (await post({ query: QUERY, variables: { slug: "acme" } })).json()) as {
        errors: { type: string }[];
      };
      expect(noFirst.errors[0]!.type).toBe("MISSING_PAGINATION_BOUNDARIES");
      const broken = (await (
        await fetch(`${h.url}/graphql`, {
          method: "POST",
          headers: { authorization: "bearer tok_boss" },
          body: "{",
        })
      ).json()) as { errors: { message: string }[] };
      expect(broken.errors[0]!.message).toContain("Problems parsing JSON");
      const anonymous = await fetch(`${h.url}/graphql`, {
        method: "POST",
        body: JSON.stringify({ query: QUERY }),
      });
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as { message: string }).message).toBe(
        "This endpoint requires you to be authenticated.",
      );
    });
  });
}

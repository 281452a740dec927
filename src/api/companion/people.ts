/**
 * GitHub's object shapes for users, organizations and teams, filled from the directory. URLs point at this
 * server (`base`), so a client following them stays on pilotlog.
 */

const nodeId = (prefix: string, id: number) => Buffer.from(`${prefix}${id}`).toString("base64url");

/** simple-user */
export function simpleUser(base: string, u: { id: number; login: string }) {
  const url = `${base}/users/${u.login}`;
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId("U_", u.id),
    avatar_url: `${base}/avatars/${u.login}`,
    gravatar_id: "",
    url,
    html_url: `${base}/${u.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: "User",
    site_admin: false,
    user_view_type: "public",
  };
}

/** private-user, as GET /user answers: the simple user plus profile and plan fields pilotlog does not track. */
export function privateUser(base: string, u: { id: number; login: string; created_at: string }) {
  return {
    ...simpleUser(base, u),
    name: null,
    company: null,
    blog: "",
    location: null,
    email: null,
    notification_email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: u.created_at,
    updated_at: u.created_at,
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
  };
}

/** organization-simple */
export function organizationSimple(base: string, o: { id: number; login: string }) {
  const url = `${base}/orgs/${o.login}`;
  return {
    login: o.login,
    id: o.id,
    node_id: nodeId("O_", o.id),
    url,
    repos_url: `${url}/repos`,
    events_url: `${url}/events`,
    hooks_url: `${url}/hooks`,
    issues_url: `${url}/issues`,
    members_url: `${url}/members{/member}`,
    public_members_url: `${url}/public_members{/member}`,
    avatar_url: `${base}/avatars/${o.login}`,
    description: null,
  };
}

/** team (an organization's team) */
export function team(
  base: string,
  org: { id: number; login: string },
  t: { id: number; slug: string; name: string },
) {
  const url = `${base}/organizations/${org.id}/team/${t.id}`;
  return {
    id: t.id,
    node_id: nodeId("T_", t.id),
    url,
    html_url: `${base}/orgs/${org.login}/teams/${t.slug}`,
    name: t.name,
    slug: t.slug,
    description: null,
    privacy: "closed",
    notification_setting: "notifications_enabled",
    permission: "pull",
    members_url: `${url}/members{/member}`,
    repositories_url: `${url}/repos`,
    type: "organization",
    organization_id: org.id,
    parent: null,
  };
}

/** enterprise-team */
export function enterpriseTeam(
  base: string,
  ent: { slug: string },
  t: { id: number; slug: string; name: string; created_at: string },
) {
  const url = `${base}/enterprises/${ent.slug}/teams/${t.slug}`;
  return {
    id: t.id,
    name: t.name,
    description: "",
    slug: t.slug,
    url,
    organization_selection_type: "disabled",
    group_id: null,
    html_url: `${base}/enterprises/${ent.slug}/teams/${t.slug}`,
    members_url: `${url}/memberships{/member}`,
    created_at: t.created_at,
    updated_at: t.created_at,
  };
}

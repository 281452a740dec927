/** The directory file of bench/apply.ts and bench/profile-apply.ts. */
export const ORGS = 10;
export const TEAM_SIZE = 10;

export interface World {
  text: string;
  users: string[];
  orgOf: (i: number) => number;
  teamOf: (i: number) => number;
}

/** The directory file of `n` users as JSON (YAML parsing alone would dominate at this size; see BENCHMARKS.md). */
export function world(n: number, flipped = -1): World {
  const users = Array.from({ length: n }, (_, i) => `user-${i}`);
  const orgOf = (i: number) => i % ORGS;
  // Users of one organization in runs of TEAM_SIZE: team t of org o holds its t-th run.
  const teamOf = (i: number) => Math.floor(Math.floor(i / ORGS) / TEAM_SIZE);
  const organizations = Array.from({ length: ORGS }, (_, o) => {
    const members = users.filter((_, i) => orgOf(i) === o);
    const teams: { slug: string; name: string; members: string[] }[] = [];
    members.forEach((login, k) => {
      const t = Math.floor(k / TEAM_SIZE);
      teams[t] ??= { slug: `team-${t}`, name: `Team ${t}`, members: [] };
      teams[t].members.push(login);
    });
    return { login: `org-${o}`, enterprise: "bench-ent", members, seats: members, teams };
  });
  const directory = {
    enterprises: [{ slug: "bench-ent", name: "Bench" }],
    organizations,
    users: users.map((login, i) => ({ login, telemetry: (i % 50 !== 0) !== (i === flipped) })),
  };
  return { text: JSON.stringify(directory), users, orgOf, teamOf };
}

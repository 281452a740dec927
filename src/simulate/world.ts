import { addDays } from "../util/time.js";
import { Rng } from "./random.js";

export const EDITORS = [
  ["vscode", 55],
  ["JetBrains", 20],
  ["VisualStudio", 10],
  ["neovim", 8],
  ["Xcode", 7],
] as const;
export const LANGUAGES = [
  "python",
  "typescript",
  "javascript",
  "go",
  "java",
  "csharp",
  "ruby",
  "rust",
  "cpp",
  "php",
  "kotlin",
  "swift",
  "unknown",
] as const;
export const CUSTOM_MODEL = "demo-pr-model";

/** One simulated developer and their habits. */
export interface SimUser {
  login: string;
  org: string;
  editor: string;
  languages: string[];
  /** Probability of accepting a suggestion. */
  acceptRate: number;
  /** Probability of being active on a weekday once adopted. */
  activity: number;
  /** First day they use Copilot. */
  adoptedOn: string;
  telemetry: boolean;
  /** Membership bounds in the organization (null: unbounded). */
  since: string | null;
  until: string | null;
  seat: boolean;
}

export interface World {
  seed: string;
  enterprise: string;
  orgs: { login: string; policy: "enabled" | "disabled"; owner: string }[];
  users: SimUser[];
  teams: { org: string; slug: string; members: string[] }[];
  enterpriseTeams: { slug: string; members: string[] }[];
  repositories: string[];
  tokens: Record<"enterprise_owner" | "billing_manager" | "org_owner" | "member" | "relay", string>;
  first: string;
  last: string;
}

const ORGS = [
  { login: "demo-core", share: 0.6, policy: "enabled" as const },
  { login: "demo-labs", share: 0.25, policy: "enabled" as const },
  { login: "demo-legacy", share: 0.15, policy: "disabled" as const },
];
const TEAM_NAMES = [
  "backend",
  "frontend",
  "mobile",
  "data",
  "infra",
  "security",
  "payments",
  "search",
  "growth",
  "docs",
  "ml",
  "qa",
];

/**
 * Builds a deterministic demo world: one enterprise, three organizations (one with the metrics policy off),
 * twelve teams (some under the 5-seat threshold), two enterprise teams, `users` developers with habits, a few
 * with telemetry off, some joining or leaving inside the window.
 */
export function buildWorld(opts: { users: number; seed: string; today: string; windowDays?: number }): World {
  const rng = new Rng(`${opts.seed}/world`);
  const windowDays = opts.windowDays ?? 28;
  const first = addDays(opts.today, -windowDays);
  const last = addDays(opts.today, -1);
  const users: SimUser[] = [];
  for (let i = 1; i <= opts.users; i++) {
    const orgPick = rng.next();
    const org =
      orgPick < ORGS[0]!.share ? ORGS[0]! : orgPick < ORGS[0]!.share + ORGS[1]!.share ? ORGS[1]! : ORGS[2]!;
    const movement = rng.next();
    const joinsOn = movement < 0.06 ? addDays(first, rng.int(3, windowDays - 3)) : null;
    const leavesOn = movement > 0.96 ? addDays(first, rng.int(3, windowDays - 3)) : null;
    users.push({
      login: `dev-${String(i).padStart(5, "0")}`,
      org: org.login,
      editor: rng.weighted(EDITORS),
      languages: rng.sample(LANGUAGES, rng.int(1, 3)),
      acceptRate: 0.22 + rng.next() * 0.16,
      activity: 0.55 + rng.next() * 0.4,
      // Adoption grows over the window: most use it from the start, the rest pick it up along the way.
      adoptedOn: rng.chance(0.6) ? first : addDays(first, rng.int(1, windowDays - 1)),
      telemetry: !rng.chance(0.02),
      since: joinsOn,
      until: leavesOn,
      seat: !rng.chance(0.04),
    });
  }
  const teams: World["teams"] = [];
  TEAM_NAMES.forEach((slug, i) => {
    const org = i < 7 ? "demo-core" : i < 10 ? "demo-labs" : "demo-legacy";
    const pool = users.filter((u) => u.org === org);
    // Two small teams sit under the privacy threshold; the rest vary in size.
    const size =
      slug === "docs" || slug === "qa"
        ? Math.min(pool.length, 3 + (i % 2))
        : Math.min(pool.length, rng.int(5, Math.max(6, Math.round(pool.length / 4))));
    teams.push({ org, slug, members: rng.sample(pool, size).map((u) => u.login) });
  });
  const all = users.map((u) => u.login);
  return {
    seed: opts.seed,
    enterprise: "demo-ent",
    orgs: ORGS.map((o) => ({ login: o.login, policy: o.policy, owner: `${o.login}-owner` })),
    users,
    teams,
    enterpriseTeams: [
      { slug: "platform-guild", members: rng.sample(all, Math.min(all.length, 20)) },
      { slug: "tiny-guild", members: rng.sample(all, Math.min(all.length, 3)) },
    ],
    repositories: [
      "api",
      "web",
      "mobile-app",
      "infra",
      "data-pipeline",
      "auth",
      "billing",
      "search",
      "docs",
      "cli",
      "sdk",
      "ml-models",
    ].map((r, i) => `${ORGS[i % 2]!.login}/${r}`),
    tokens: {
      enterprise_owner: "pl_demo_enterprise_owner",
      billing_manager: "pl_demo_billing_manager",
      org_owner: "pl_demo_org_owner",
      member: "pl_demo_member",
      relay: "pl_demo_relay",
    },
    first,
    last,
  };
}

/** The world as a directory file (docs/directory-file.md), to load through the real `apply`. */
export function worldDirectory(w: World): object {
  const grant = (u: SimUser) =>
    u.since || u.until
      ? { login: u.login, ...(u.since ? { since: u.since } : {}), ...(u.until ? { until: u.until } : {}) }
      : u.login;
  // A seat is dated from the world's first day (or the day its holder joins), so its created_at precedes every
  // activity of the world; the days served are the same as for an undated seat.
  const seat = (u: SimUser) => ({
    login: u.login,
    since: u.since ?? w.first,
    ...(u.until ? { until: u.until } : {}),
  });
  return {
    enterprises: [
      {
        slug: w.enterprise,
        name: "Demo Enterprise",
        owners: ["ent-owner"],
        billing_managers: ["ent-billing"],
        teams: w.enterpriseTeams.map((t) => ({ slug: t.slug, members: t.members })),
      },
    ],
    organizations: w.orgs.map((o) => {
      const members = w.users.filter((u) => u.org === o.login);
      return {
        login: o.login,
        enterprise: w.enterprise,
        copilot_metrics_policy: o.policy,
        owners: [o.owner],
        members: members.map(grant),
        seats: members.filter((u) => u.seat).map(seat),
        teams: w.teams.filter((t) => t.org === o.login).map((t) => ({ slug: t.slug, members: t.members })),
      };
    }),
    users: w.users.filter((u) => !u.telemetry).map((u) => ({ login: u.login, telemetry: false })),
    custom_models: [{ name: CUSTOM_MODEL, training_date: "2026-06-01", owner: "demo-core" }],
    tokens: [
      {
        token: w.tokens.enterprise_owner,
        user: "ent-owner",
        kind: "classic",
        scopes: ["manage_billing:copilot", "read:enterprise"],
      },
      {
        token: w.tokens.billing_manager,
        user: "ent-billing",
        kind: "classic",
        scopes: ["manage_billing:copilot"],
      },
      { token: w.tokens.org_owner, user: "demo-core-owner", kind: "classic", scopes: ["read:org"] },
      {
        token: w.tokens.member,
        user: w.users[0]?.login ?? "dev-00001",
        kind: "classic",
        scopes: ["read:org"],
      },
      { token: w.tokens.relay, kind: "ingest" },
    ],
  };
}

/** Every metrics route of the world. */
export function worldRoutes(w: World): string[] {
  return [
    `/enterprises/${w.enterprise}/copilot/metrics`,
    ...w.enterpriseTeams.map((t) => `/enterprises/${w.enterprise}/team/${t.slug}/copilot/metrics`),
    ...w.orgs.map((o) => `/orgs/${o.login}/copilot/metrics`),
    ...w.teams.map((t) => `/orgs/${t.org}/team/${t.slug}/copilot/metrics`),
  ];
}

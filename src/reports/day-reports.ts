import type { FactRow } from "../rollup/facts.js";

/** Seats a team needs at the end of the day for its user-teams rows (the legacy threshold, rollup/process.ts). */
const PRIVACY_THRESHOLD = 5;

import { sumsJson } from "./aggregate.js";
import { type DayUsers, NO_USERS } from "./day-users.js";
import {
  addTotals,
  computeUserDay,
  newTotals,
  recordHead,
  recordTail,
  type Totals,
  type VersionFact,
} from "./record.js";

/** One serialized user-day record to store. */
export interface RecordRow {
  scope: string;
  login: string;
  userId: number;
  body: string;
}

/**
 * A team's members in one scope on the day (the user-teams rows of that team), in the order users were counted;
 * `storeTeamDays` sorts them into the file's order.
 */
export interface TeamDay {
  scope: string;
  teamId: number;
  slug: string;
  logins: string[];
  userIds: number[];
}

/** A team as the user-teams rows need it: org teams have `orgId`, enterprise teams `enterpriseId`. */
export interface TeamInfo {
  slug: string;
  orgId: number | null;
  enterpriseId: number | null;
}

/** What a scope adds up to on a day: report_days' row without the counts over earlier days. */
export interface ScopeDay {
  records: number;
  teamRows: number;
  active: number[];
  chat: number[];
  agent: number[];
  cliUsers: number;
  totals: Totals;
}

const NO_VERSIONS: readonly VersionFact[] = [];

/** Scopes with reports: organizations and enterprises (teams have none). */
export const isReportScope = (scope: string) => scope.startsWith("org:") || scope.startsWith("ent:");

/**
 * The reports' half of processing a day: fed each counted user once (with their facts and scopes) by the same
 * pass that computes the legacy documents; computes the user's record once and serializes it once per scope.
 * Serialized records wait in `pending` until the caller stores them, so memory holds one fetch's worth.
 */
export class DayReports {
  pending: RecordRow[] = [];
  /** Keyed by scope and team id: one stored row each (a row per member cost as much as the records). */
  readonly teamDays = new Map<string, TeamDay>();
  readonly scopes = new Map<string, ScopeDay>();
  /** The logins and versions of the users being added: replaced a fetch at a time (`useUsers`). */
  private users: DayUsers = NO_USERS;

  constructor(
    private readonly day: string,
    private readonly enterpriseOfOrg: (orgId: number) => number | null,
    private readonly teams: {
      info: (teamId: number) => TeamInfo | undefined;
      /** Members of `team:ID` / `eteam:ID` holding a seat at the end of the day (privacy threshold). */
      seated: (scope: string) => number;
    } = { info: () => undefined, seated: () => 0 },
  ) {}

  /** The logins and versions of the users added next (and of the user the previous fetch ended in). */
  useUsers(users: DayUsers): void {
    this.users = users;
  }

  /** Adds one counted user's day (facts of that user only) in every scope they count in. */
  addUser(userId: number, facts: readonly FactRow[], scopes: readonly string[]): void {
    let user: ReturnType<typeof computeUserDay> | undefined;
    let tail = "";
    let login = "";
    for (const scope of scopes) {
      if (!isReportScope(scope)) continue;
      if (user === undefined) {
        user = computeUserDay(facts, this.users.versions.get(userId) ?? NO_VERSIONS);
        // The record past its identity is the same in every scope: serialized once per user.
        if (user) {
          tail = recordTail(user);
          login = this.users.logins.get(userId) ?? String(userId);
        }
      }
      let s = this.scopes.get(scope);
      if (!s) {
        s = { records: 0, teamRows: 0, active: [], chat: [], agent: [], cliUsers: 0, totals: newTotals() };
        this.scopes.set(scope, s);
      }
      s.active.push(userId);
      if (!user) continue;
      s.records++;
      if (user.usedChat) s.chat.push(userId);
      if (user.usedAgent) s.agent.push(userId);
      if (user.usedCli) s.cliUsers++;
      addTotals(s.totals, user);
      const id = Number(scope.slice(4));
      const org = scope.startsWith("org:");
      const head = recordHead({
        day: this.day,
        userId,
        login,
        organizationId: org ? id : null,
        enterpriseId: org ? this.enterpriseOfOrg(id) : id,
      });
      this.pending.push({ scope, login, userId, body: `${head}${tail}` });
      s.teamRows += this.addTeamRows(scope, org ? id : null, org ? null : id, userId, login, scopes);
    }
  }

  /**
   * The user's teams in an org scope (its teams) or an enterprise scope (its orgs' teams and its enterprise
   * teams), leaving out teams under the 5-seat threshold.
   */
  private addTeamRows(
    scope: string,
    orgId: number | null,
    entId: number | null,
    userId: number,
    login: string,
    scopes: readonly string[],
  ): number {
    let added = 0;
    for (const t of scopes) {
      const team = t.startsWith("team:") || t.startsWith("eteam:");
      if (!team) continue;
      const teamId = Number(t.slice(t.indexOf(":") + 1));
      const info = this.teams.info(teamId);
      if (!info) continue;
      const inScope =
        orgId !== null
          ? info.orgId === orgId
          : info.enterpriseId === entId ||
            (info.orgId !== null && this.enterpriseOfOrg(info.orgId) === entId);
      if (!inScope || this.teams.seated(t) < PRIVACY_THRESHOLD) continue;
      const key = `${scope}|${teamId}`;
      let members = this.teamDays.get(key);
      if (!members) {
        members = { scope, teamId, slug: info.slug, logins: [], userIds: [] };
        this.teamDays.set(key, members);
      }
      members.logins.push(login);
      members.userIds.push(userId);
      added++;
    }
    return added;
  }

  /** Takes the records serialized since the last call. */
  takePending(): RecordRow[] {
    const p = this.pending;
    this.pending = [];
    return p;
  }

  /** Each scope's row sums, serialized. */
  sums(scope: string): string {
    return sumsJson(this.scopes.get(scope)?.totals ?? newTotals());
  }
}

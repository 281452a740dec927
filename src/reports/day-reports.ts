import type { FactRow } from "../rollup/facts.js";

/** Seats a team needs at the end of the day for its user-teams rows (the legacy threshold, rollup/process.ts). */
const PRIVACY_THRESHOLD = 5;

import { sumsJson } from "./aggregate.js";
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

/** One serialized user-teams row to store. */
export interface TeamRow {
  scope: string;
  slug: string;
  login: string;
  teamId: number;
  body: string;
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

/** Scopes with reports: organizations and enterprises (teams have none). */
export const isReportScope = (scope: string) => scope.startsWith("org:") || scope.startsWith("ent:");

/**
 * The reports' half of processing a day: fed each counted user once (with their facts and scopes) by the same
 * pass that computes the legacy documents; computes the user's record once and serializes it once per scope.
 * Serialized records wait in `pending` until the caller stores them, so memory holds one fetch's worth.
 */
export class DayReports {
  pending: RecordRow[] = [];
  pendingTeams: TeamRow[] = [];
  readonly scopes = new Map<string, ScopeDay>();
  private readonly dayJson: string;

  constructor(
    private readonly day: string,
    private readonly loginOf: (userId: number) => string | undefined,
    private readonly enterpriseOfOrg: (orgId: number) => number | null,
    private readonly versionsOf: (userId: number) => readonly VersionFact[],
    private readonly teams: {
      info: (teamId: number) => TeamInfo | undefined;
      /** Members of `team:ID` / `eteam:ID` holding a seat at the end of the day (privacy threshold). */
      seated: (scope: string) => number;
    } = { info: () => undefined, seated: () => 0 },
  ) {
    this.dayJson = JSON.stringify(day);
  }

  /** Adds one counted user's day (facts of that user only) in every scope they count in. */
  addUser(userId: number, facts: readonly FactRow[], scopes: readonly string[]): void {
    let user: ReturnType<typeof computeUserDay> | undefined;
    let tail = "";
    let login = "";
    let loginJson = "";
    for (const scope of scopes) {
      if (!isReportScope(scope)) continue;
      if (user === undefined) {
        user = computeUserDay(facts, this.versionsOf(userId));
        // The record past its identity is the same in every scope: serialized once per user.
        if (user) {
          tail = recordTail(user);
          login = this.loginOf(userId) ?? String(userId);
          loginJson = JSON.stringify(login);
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
      s.teamRows += this.addTeamRows(
        scope,
        org ? id : null,
        org ? null : id,
        userId,
        login,
        loginJson,
        scopes,
      );
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
    loginJson: string,
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
      // Written by hand, the text JSON.stringify gave for {user_id, user_login, day, organization_id |
      // enterprise_id, team_id, slug}.
      const body = `{"user_id":${userId},"user_login":${loginJson},"day":${this.dayJson},${orgId !== null ? `"organization_id":${JSON.stringify(String(orgId))}` : `"enterprise_id":${JSON.stringify(String(entId))}`},"team_id":${teamId},"slug":${JSON.stringify(info.slug)}}`;
      this.pendingTeams.push({ scope, slug: info.slug, login, teamId, body });
      added++;
    }
    return added;
  }

  /** Takes the records serialized since the last call. */
  takePending(): { records: RecordRow[]; teams: TeamRow[] } {
    const p = { records: this.pending, teams: this.pendingTeams };
    this.pending = [];
    this.pendingTeams = [];
    return p;
  }

  /** Each scope's row sums, serialized. */
  sums(scope: string): string {
    return sumsJson(this.scopes.get(scope)?.totals ?? newTotals());
  }
}

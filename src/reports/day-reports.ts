import type { FactRow } from "../rollup/facts.js";
import { sumsJson } from "./aggregate.js";
import {
  addTotals,
  computeUserDay,
  newTotals,
  serializeUserDay,
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

/** What a scope adds up to on a day: report_days' row without the counts over earlier days. */
export interface ScopeDay {
  records: number;
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
  readonly scopes = new Map<string, ScopeDay>();

  constructor(
    private readonly day: string,
    private readonly loginOf: (userId: number) => string | undefined,
    private readonly enterpriseOfOrg: (orgId: number) => number | null,
    private readonly versionsOf: (userId: number) => readonly VersionFact[],
  ) {}

  /** Adds one counted user's day (facts of that user only) in every scope they count in. */
  addUser(userId: number, facts: readonly FactRow[], scopes: readonly string[]): void {
    let user: ReturnType<typeof computeUserDay> | undefined;
    for (const scope of scopes) {
      if (!isReportScope(scope)) continue;
      if (user === undefined) user = computeUserDay(facts, this.versionsOf(userId));
      let s = this.scopes.get(scope);
      if (!s) {
        s = { records: 0, active: [], chat: [], agent: [], cliUsers: 0, totals: newTotals() };
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
      const login = this.loginOf(userId) ?? String(userId);
      this.pending.push({
        scope,
        login,
        userId,
        body: serializeUserDay(user, {
          day: this.day,
          userId,
          login,
          organizationId: org ? id : null,
          enterpriseId: org ? this.enterpriseOfOrg(id) : id,
        }),
      });
    }
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

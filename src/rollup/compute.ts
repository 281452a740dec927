import { type Agg, addUserFact, mergeAgg, type Node, newAgg } from "./accumulate.js";
import type { DayDocument, ModelInfo } from "./document.js";
import type { FactRow } from "./facts.js";

export interface DayInput {
  day: string;
  /** The day's facts, sorted by userId. */
  facts: readonly FactRow[];
  /** Scopes the user counts in at the end of the day (membership and telemetry already applied). */
  scopesOf: (userId: number) => readonly string[] | undefined;
  /** Custom model name → training date (or null). */
  customModels: ReadonlyMap<string, string | null>;
}

/**
 * Computes every scope's day document in one pass over the facts grouped by user: each user's engagement is
 * worked out once, then added once into each scope they belong to. Scopes without an active user are absent.
 */
export function computeDay(input: DayInput): Map<string, DayDocument> {
  const acc = new DayAccumulator(input.scopesOf);
  acc.add(input.facts);
  return acc.finish(input.day, input.customModels);
}

/**
 * `computeDay` fed in chunks (facts sorted by user across all chunks), so a day of 100,000 users is never held in
 * memory at once: only the per-scope aggregates and the rows of the user a chunk ends in.
 */
export class DayAccumulator {
  private readonly aggs = new Map<string, Agg>();
  private carry: readonly FactRow[] = [];
  /** Facts read and users counted in at least one scope. */
  facts = 0;
  activeUsers = 0;

  /**
   * `onUser` sees each counted user once, with their rows and scopes: the usage-metrics reports are computed in
   * the same pass (reports/day-reports.ts).
   */
  constructor(
    private readonly scopesOf: DayInput["scopesOf"],
    private readonly onUser?: (userId: number, facts: readonly FactRow[], scopes: readonly string[]) => void,
  ) {}

  /** Adds the next facts; the last user's rows wait for the next call, which may hold more of them. */
  add(chunk: readonly FactRow[]): void {
    this.facts += chunk.length;
    const rows = this.carry.length > 0 ? [...this.carry, ...chunk] : chunk;
    if (rows.length === 0) return;
    const last = rows[rows.length - 1]!.userId;
    let cut = rows.length;
    while (cut > 0 && rows[cut - 1]!.userId === last) cut--;
    this.addUsers(rows, cut);
    this.carry = rows.slice(cut);
  }

  /** The documents of every scope with an active user. */
  finish(day: string, customModels: ReadonlyMap<string, string | null>): Map<string, DayDocument> {
    this.addUsers(this.carry, this.carry.length);
    this.carry = [];
    const docs = new Map<string, DayDocument>();
    for (const [scope, agg] of this.aggs)
      if (agg.active > 0) docs.set(scope, toDocument(day, agg, customModels));
    return docs;
  }

  private addUsers(facts: readonly FactRow[], end: number): void {
    let i = 0;
    while (i < end) {
      const userId = facts[i]!.userId;
      let j = i;
      while (j < end && facts[j]!.userId === userId) j++;
      const scopes = this.scopesOf(userId);
      if (scopes && scopes.length > 0) {
        this.activeUsers++;
        const user = newAgg();
        for (let k = i; k < j; k++) addUserFact(user, facts[k]!);
        this.onUser?.(userId, facts.slice(i, j), scopes);
        for (const scope of scopes) {
          let agg = this.aggs.get(scope);
          if (!agg) {
            agg = newAgg();
            this.aggs.set(scope, agg);
          }
          mergeAgg(agg, user);
        }
      }
      i = j;
    }
  }
}

/** Engaged users descending, then name ascending (code-unit order), so equal data gives equal bytes. */
function sorted(m: Map<string, Node>): [string, Node][] {
  return [...m].sort(([an, a], [bn, b]) => b.e - a.e || (an < bn ? -1 : an > bn ? 1 : 0));
}

function toDocument(day: string, a: Agg, custom: ReadonlyMap<string, string | null>): DayDocument {
  const model = (name: string): ModelInfo => ({
    name,
    is_custom_model: custom.has(name),
    custom_model_training_date: custom.get(name) ?? null,
  });
  // A feature nobody used that day is `{ total_engaged_users: 0 }` with no arrays.
  const feature = <T extends object>(
    root: Node,
    arrays: () => T,
  ): { total_engaged_users: number } & Partial<T> =>
    root.kids.size === 0
      ? ({ total_engaged_users: 0 } as Partial<T> & { total_engaged_users: number })
      : { total_engaged_users: root.e, ...arrays() };

  return {
    date: day,
    total_active_users: a.active,
    total_engaged_users: a.engaged,
    copilot_ide_code_completions: feature(a.completion, () => ({
      languages: sorted(a.completionLanguages).map(([name, n]) => ({ name, total_engaged_users: n.e })),
      editors: sorted(a.completion.kids).map(([name, ed]) => ({
        name,
        total_engaged_users: ed.e,
        models: sorted(ed.kids).map(([m, mn]) => ({
          ...model(m),
          total_engaged_users: mn.e,
          languages: sorted(mn.kids).map(([lang, l]) => ({
            name: lang,
            total_engaged_users: l.e,
            total_code_suggestions: l.n1,
            total_code_acceptances: l.n2,
            total_code_lines_suggested: l.n3,
            total_code_lines_accepted: l.n4,
          })),
        })),
      })),
    })),
    copilot_ide_chat: feature(a.ideChat, () => ({
      editors: sorted(a.ideChat.kids).map(([name, ed]) => ({
        name,
        total_engaged_users: ed.e,
        models: sorted(ed.kids).map(([m, mn]) => ({
          ...model(m),
          total_engaged_users: mn.e,
          total_chats: mn.n1,
          total_chat_insertion_events: mn.n2,
          total_chat_copy_events: mn.n3,
        })),
      })),
    })),
    copilot_dotcom_chat: feature(a.dotcomChat, () => ({
      models: sorted(a.dotcomChat.kids).map(([m, mn]) => ({
        ...model(m),
        total_engaged_users: mn.e,
        total_chats: mn.n1,
      })),
    })),
    copilot_dotcom_pull_requests: feature(a.pullRequests, () => ({
      repositories: sorted(a.pullRequests.kids).map(([name, r]) => ({
        name,
        total_engaged_users: r.e,
        models: sorted(r.kids).map(([m, mn]) => ({
          ...model(m),
          total_pr_summaries_created: mn.n1,
          total_engaged_users: mn.e,
        })),
      })),
    })),
  };
}

/**
 * Pure sums over the day documents the API returned. User counts are distinct per day, so over a range they
 * are shown per day or as the peak day, never added up; event and line counts add up.
 */
import { dayRange } from "./dates.js";
import type { DayMetrics } from "./metrics-types.js";

/** A per-day value; null where the API returned no day (a gap, never a zero). */
export type Point = number | null;

export interface DailySeries {
  days: string[];
  active: Point[];
  engaged: Point[];
  suggestions: Point[];
  acceptances: Point[];
  linesSuggested: Point[];
  linesAccepted: Point[];
  /** Percent, null also on a day with no suggestion. */
  rateByCount: Point[];
  rateByLines: Point[];
  ideChats: Point[];
  dotcomChats: Point[];
  prSummaries: Point[];
}

export interface CompletionCounts {
  suggestions: number;
  acceptances: number;
  linesSuggested: number;
  linesAccepted: number;
}

export interface Totals extends CompletionCounts {
  ideChats: number;
  insertions: number;
  copies: number;
  dotcomChats: number;
  prSummaries: number;
  /** The last day the API returned in the range. */
  lastDay: DayMetrics | null;
  daysWithData: number;
  missing: string[];
  peakActive: number | null;
}

export interface CompletionRow extends CompletionCounts {
  name: string;
  /** Highest daily engaged-user count, where the document has one for this entry. */
  peakEngaged: number | null;
  /** Custom model training date, "" for a custom model without one; null for others. */
  custom?: string | null;
}

export interface ChatRow {
  editor: string;
  /** null: the editor's own row (all its models). */
  model: string | null;
  chats: number;
  insertions: number;
  copies: number;
  peakEngaged: number;
}

export interface DotcomRow {
  model: string;
  chats: number;
  peakEngaged: number;
}

export interface PrRow {
  repository: string;
  summaries: number;
  peakEngaged: number;
  models: string[];
}

export interface Breakdowns {
  languages: CompletionRow[];
  editors: CompletionRow[];
  models: CompletionRow[];
  ideChat: ChatRow[];
  dotcomChat: DotcomRow[];
  pullRequests: PrRow[];
}

/** Acceptance rate in percent, or null when nothing was suggested. */
export function rate(accepted: number, suggested: number): number | null {
  return suggested > 0 ? (accepted / suggested) * 100 : null;
}

const zero = (): CompletionCounts => ({
  suggestions: 0,
  acceptances: 0,
  linesSuggested: 0,
  linesAccepted: 0,
});

function add(into: CompletionCounts, c: CompletionCounts): void {
  into.suggestions += c.suggestions;
  into.acceptances += c.acceptances;
  into.linesSuggested += c.linesSuggested;
  into.linesAccepted += c.linesAccepted;
}

/** The completion counts of one day, summed over every editor, model and language. */
export function dayCompletions(d: DayMetrics): CompletionCounts {
  const c = zero();
  for (const e of d.copilot_ide_code_completions?.editors ?? [])
    for (const m of e.models ?? [])
      for (const l of m.languages ?? [])
        add(c, {
          suggestions: l.total_code_suggestions,
          acceptances: l.total_code_acceptances,
          linesSuggested: l.total_code_lines_suggested,
          linesAccepted: l.total_code_lines_accepted,
        });
  return c;
}

function dayIdeChat(d: DayMetrics): { chats: number; insertions: number; copies: number } {
  const t = { chats: 0, insertions: 0, copies: 0 };
  for (const e of d.copilot_ide_chat?.editors ?? [])
    for (const m of e.models ?? []) {
      t.chats += m.total_chats;
      t.insertions += m.total_chat_insertion_events;
      t.copies += m.total_chat_copy_events;
    }
  return t;
}

const dayDotcomChats = (d: DayMetrics) =>
  (d.copilot_dotcom_chat?.models ?? []).reduce((n, m) => n + m.total_chats, 0);

const dayPrSummaries = (d: DayMetrics) =>
  (d.copilot_dotcom_pull_requests?.repositories ?? []).reduce(
    (n, r) => n + (r.models ?? []).reduce((k, m) => k + m.total_pr_summaries_created, 0),
    0,
  );

/** Per-day series over every day of [since, until], with null for the days the API left out. */
export function dailySeries(days: DayMetrics[], since: string, until: string): DailySeries {
  const byDate = new Map(days.map((d) => [d.date, d]));
  const all = dayRange(since, until);
  const s: DailySeries = {
    days: all,
    active: [],
    engaged: [],
    suggestions: [],
    acceptances: [],
    linesSuggested: [],
    linesAccepted: [],
    rateByCount: [],
    rateByLines: [],
    ideChats: [],
    dotcomChats: [],
    prSummaries: [],
  };
  for (const day of all) {
    const d = byDate.get(day);
    const c = d ? dayCompletions(d) : null;
    s.active.push(d ? d.total_active_users : null);
    s.engaged.push(d ? d.total_engaged_users : null);
    s.suggestions.push(c ? c.suggestions : null);
    s.acceptances.push(c ? c.acceptances : null);
    s.linesSuggested.push(c ? c.linesSuggested : null);
    s.linesAccepted.push(c ? c.linesAccepted : null);
    s.rateByCount.push(c ? rate(c.acceptances, c.suggestions) : null);
    s.rateByLines.push(c ? rate(c.linesAccepted, c.linesSuggested) : null);
    s.ideChats.push(d ? dayIdeChat(d).chats : null);
    s.dotcomChats.push(d ? dayDotcomChats(d) : null);
    s.prSummaries.push(d ? dayPrSummaries(d) : null);
  }
  return s;
}

export function totals(days: DayMetrics[], since: string, until: string): Totals {
  const inRange = days.filter((d) => d.date >= since && d.date <= until);
  const t: Totals = {
    ...zero(),
    ideChats: 0,
    insertions: 0,
    copies: 0,
    dotcomChats: 0,
    prSummaries: 0,
    lastDay: inRange.at(-1) ?? null,
    daysWithData: inRange.length,
    missing: [],
    peakActive: null,
  };
  const present = new Set(inRange.map((d) => d.date));
  t.missing = dayRange(since, until).filter((d) => !present.has(d));
  for (const d of inRange) {
    add(t, dayCompletions(d));
    const chat = dayIdeChat(d);
    t.ideChats += chat.chats;
    t.insertions += chat.insertions;
    t.copies += chat.copies;
    t.dotcomChats += dayDotcomChats(d);
    t.prSummaries += dayPrSummaries(d);
    t.peakActive = Math.max(t.peakActive ?? 0, d.total_active_users);
  }
  return t;
}

/** Accumulates rows by key: counts add up, engaged users keep the highest day. */
class Rows<R extends { peakEngaged: number | null }> {
  readonly map = new Map<string, R>();
  constructor(private readonly make: (key: string) => R) {}
  get(key: string): R {
    let r = this.map.get(key);
    if (!r) {
      r = this.make(key);
      this.map.set(key, r);
    }
    return r;
  }
  peak(key: string, engaged: number): void {
    const r = this.get(key);
    r.peakEngaged = Math.max(r.peakEngaged ?? 0, engaged);
  }
  sorted(by: (r: R) => number): R[] {
    return [...this.map.values()].sort((a, b) => by(b) - by(a));
  }
}

export function breakdowns(days: DayMetrics[]): Breakdowns {
  const completionRow = (name: string): CompletionRow => ({ name, ...zero(), peakEngaged: null });
  const languages = new Rows(completionRow);
  const editors = new Rows(completionRow);
  const models = new Rows(completionRow);
  const chat = new Rows<ChatRow>((key) => {
    const [editor = "", model = ""] = key.split("\u0000");
    return { editor, model: model || null, chats: 0, insertions: 0, copies: 0, peakEngaged: 0 };
  });
  const dotcom = new Rows<DotcomRow>((model) => ({ model, chats: 0, peakEngaged: 0 }));
  const prs = new Rows<PrRow & { modelSet: Set<string> }>((repository) => ({
    repository,
    summaries: 0,
    peakEngaged: 0,
    models: [],
    modelSet: new Set(),
  }));

  for (const d of days) {
    const cc = d.copilot_ide_code_completions;
    for (const l of cc?.languages ?? []) languages.peak(l.name, l.total_engaged_users);
    for (const e of cc?.editors ?? []) {
      editors.peak(e.name, e.total_engaged_users);
      for (const m of e.models ?? []) {
        const mr = models.get(m.name);
        mr.custom = m.is_custom_model ? (m.custom_model_training_date ?? "") : null;
        for (const l of m.languages ?? []) {
          const c = {
            suggestions: l.total_code_suggestions,
            acceptances: l.total_code_acceptances,
            linesSuggested: l.total_code_lines_suggested,
            linesAccepted: l.total_code_lines_accepted,
          };
          add(languages.get(l.name), c);
          add(editors.get(e.name), c);
          add(mr, c);
        }
      }
    }
    for (const e of d.copilot_ide_chat?.editors ?? []) {
      chat.peak(`${e.name}\u0000`, e.total_engaged_users);
      const er = chat.get(`${e.name}\u0000`);
      for (const m of e.models ?? []) {
        const key = `${e.name}\u0000${m.name}`;
        chat.peak(key, m.total_engaged_users);
        const mr = chat.get(key);
        for (const r of [er, mr]) {
          r.chats += m.total_chats;
          r.insertions += m.total_chat_insertion_events;
          r.copies += m.total_chat_copy_events;
        }
      }
    }
    for (const m of d.copilot_dotcom_chat?.models ?? []) {
      dotcom.peak(m.name, m.total_engaged_users);
      dotcom.get(m.name).chats += m.total_chats;
    }
    for (const r of d.copilot_dotcom_pull_requests?.repositories ?? []) {
      prs.peak(r.name, r.total_engaged_users);
      const row = prs.get(r.name);
      for (const m of r.models ?? []) {
        row.summaries += m.total_pr_summaries_created;
        row.modelSet.add(m.name);
      }
    }
  }

  // IDE chat: each editor's row, then its models, editors by chats.
  const chatRows = chat.sorted((r) => r.chats);
  const ideChat = chatRows
    .filter((r) => r.model === null)
    .flatMap((e) => [e, ...chatRows.filter((m) => m.model !== null && m.editor === e.editor)]);
  return {
    languages: languages.sorted((r) => r.suggestions),
    editors: editors.sorted((r) => r.suggestions),
    models: models.sorted((r) => r.suggestions),
    ideChat,
    dotcomChat: dotcom.sorted((r) => r.chats),
    pullRequests: prs
      .sorted((r) => r.summaries)
      .map(({ modelSet, ...r }) => ({ ...r, models: [...modelSet].sort() })),
  };
}

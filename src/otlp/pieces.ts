import type { TelemetryEvent } from "../ingest/event.js";
import { md5Hex } from "../ingest/md5.js";

/** The counters a piece adds (validated event field names), per type that has pieces. */
const COUNTS: Readonly<Record<string, readonly string[]>> = {
  "agent.edit": ["linesAdded", "linesDeleted"],
  "agent.session": ["prompts"],
  "cli.session": ["prompts", "requests", "promptTokens", "outputTokens"],
};
const NOT_KEY = new Set(["id", "at", "countsOnly"]);
/**
 * The naming fields of an event, sorted, by its type and field names in their order: events of one rule come with
 * the same fields in the same order, so the sort is done once per shape instead of once per piece.
 */
const NAMING = new Map<string, readonly string[]>();

function namingFields(
  type: string,
  fields: Record<string, unknown>,
  counts: readonly string[],
): readonly string[] {
  const names = Object.keys(fields);
  const shape = `${type}\u0000${names.join("\u0000")}`;
  let naming = NAMING.get(shape);
  if (naming === undefined) {
    naming = names.filter((k) => !NOT_KEY.has(k) && !counts.includes(k)).sort();
    if (NAMING.size > 1000) NAMING.clear();
    NAMING.set(shape, naming);
  }
  return naming;
}

/**
 * Pieces (`countsOnly` events: lines, prompts, a CLI session's requests and tokens) of one request, merged: the
 * pieces of one user, day, type and set of names (editor, model, agent, version…) become one event with their
 * counters summed, so a request of 1,000 prompt records stores a handful of events instead of 1,000. A piece is
 * never a session or an edit, so nothing is lost by the merge; the items were deduplicated before (series state
 * for points, `otlp_items` for log records and spans), so the merged event's id only has to be new, and it is
 * stored without an `event_ids` row (`OwnedEvent.guarded`).
 */
export class Pieces {
  private readonly groups = new Map<
    string,
    { event: TelemetryEvent; login: string; ids: string[]; items: number[] }
  >();

  /** Whether the event is a piece (then it is taken here); `item` is the position of the item it came from. */
  take(event: TelemetryEvent, login: string, item = -1): boolean {
    if (!("countsOnly" in event) || !event.countsOnly) return false;
    const counts = COUNTS[event.type];
    if (!counts) return false;
    const fields = event as unknown as Record<string, unknown>;
    let key = `${login.toLowerCase()}\u0000${event.day}`;
    for (const k of namingFields(event.type, fields, counts)) key += `\u0000${k}=${String(fields[k])}`;
    const g = this.groups.get(key);
    if (!g) {
      this.groups.set(key, { event: { ...event }, login, ids: [event.id], items: [item] });
      return true;
    }
    const into = g.event as unknown as Record<string, number | string>;
    for (const c of counts) into[c] = Number(into[c] ?? 0) + Number(fields[c] ?? 0);
    if (event.at > g.event.at) g.event.at = event.at;
    g.ids.push(event.id);
    g.items.push(item);
    return true;
  }

  /** The merged events, each with an id made from its pieces' ids and the positions of the items it holds. */
  merged(): { event: TelemetryEvent; login: string; items: number[] }[] {
    return [...this.groups.values()].map((g) => {
      // The bytes of every id followed by NUL, in id order, as one string: the same digest as updating piece by piece.
      const h = md5Hex(`${g.ids.sort().join("\u0000")}\u0000`);
      return { event: { ...g.event, id: `otlp:pieces:${h}` }, login: g.login, items: g.items };
    });
  }
}

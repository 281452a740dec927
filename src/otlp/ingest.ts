import type { Db, Queryable } from "../db/db.js";
import { arraysAsLiterals } from "../ingest/array-literal.js";
import { claimIds } from "../ingest/claim-ids.js";
import { EVENT_TYPES, type TelemetryEvent } from "../ingest/event.js";
import { md5Hex } from "../ingest/md5.js";
import { type OwnedEvent, type StoreResult, storeEvents } from "../ingest/store.js";
import { validateEvent } from "../ingest/validate.js";
import { type Claim, claimOf, loginsByEmail, type Sender } from "./identity.js";
import {
  eventFields,
  fieldValue,
  type Lookup,
  lookupIn,
  type Match,
  matchRules,
  type UsageAdd,
  usageAdds,
} from "./match.js";
import { attrsKey, dayOfNs, isoOfNs, type MetricPoint, type OtlpBatch } from "./model.js";
import { Pieces } from "./pieces.js";
import { type SeriesState, stepSeries } from "./series.js";
import { addUsage } from "./usage-store.js";

/** A metric point's increase makes at most this many events (one per action): more is not one person's minute. */
export const MAX_UNITS_PER_POINT = 10_000;
const FUTURE_MS = 5 * 60_000;
const SERIES_TTL_MS = 24 * 3600_000;
/** A series whose state did not change is written again only when its `seen_at` is older than this. */
const SEEN_REFRESH_MS = 3600_000;

export interface OtlpIngestOptions {
  now: Date;
  today: string;
  /** The oldest day accepted (the retention window). */
  earliestDay: string;
}

export interface OtlpRejection {
  /** Zero-based position of the data point, log record or span in the request. */
  index: number;
  message: string;
}

export interface OtlpIngestResult {
  /** Items refused, one entry per item (an item is refused once, whatever number of rules it met). */
  rejected: OtlpRejection[];
  /** Items no table maps. */
  ignored: number;
  /** Their signal names (for the log). */
  ignoredNames: Set<string>;
  /** What the native pipeline did with the events made. */
  events: StoreResult;
  /** Events of v1.1 types the native pipeline of this build does not validate yet: not stored. */
  pending: number;
  /** Usage additions kept (tokens, cost, lines). */
  usage: number;
}

/** One mapped item (or span event) on its way through: what matched, whose it is, and how to name it. */
interface Unit {
  index: number;
  look: Lookup;
  matches: Match[];
  timeNs: bigint;
  /** Stable text naming the item: the base of its event ids. */
  key: string;
  point?: MetricPoint;
  /** The resource's canonical text: names the session of a `cli.session` piece without `session.id`. */
  resourceKey: string;
  claim: Claim;
  login?: string;
}

const md5 = md5Hex;
const STORED_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

/** The stored key of a series: its md5's first 60 bits as a decimal bigint. */
function seriesKeyOf(h: string): string {
  return BigInt(`0x${h.slice(0, 15)}`).toString();
}

function service(look: Lookup): string {
  const s = look("service.name");
  return typeof s === "string" ? s : "";
}

/** Builds the units of a batch: the items some rule maps (the rest are counted as ignored). */
function unitsOf(
  batch: OtlpBatch,
  sender: Sender,
  ignoredNames: Set<string>,
): { units: Unit[]; ignored: number } {
  const units: Unit[] = [];
  let ignored = 0;
  const ignore = (name: string) => {
    ignored++;
    if (ignoredNames.size < 20) ignoredNames.add(name);
  };
  if (batch.signal === "metrics") {
    for (const p of batch.items) {
      const look = lookupIn(p.attrs, p.ctx.resource);
      const matches = matchRules(service(look), "metric", p.metric, look);
      if (matches.length === 0) {
        ignore(p.metric);
        continue;
      }
      units.push({
        index: p.index,
        look,
        matches,
        timeNs: p.timeNs,
        key: "",
        point: p,
        resourceKey: p.ctx.resourceKey,
        claim: claimOf(sender, look),
      });
    }
  } else if (batch.signal === "logs") {
    for (const r of batch.items) {
      const look = lookupIn(r.attrs, r.ctx.resource);
      const matches = matchRules(service(look), "log", r.eventName, look);
      if (matches.length === 0) {
        ignore(r.eventName || "(unnamed log record)");
        continue;
      }
      const key = `log\u0000${r.ctx.resourceKey}\u0000${r.ctx.scopeName}\u0000${r.timeNs}\u0000${r.contentKey}`;
      units.push({
        index: r.index,
        look,
        matches,
        timeNs: r.timeNs,
        key,
        resourceKey: r.ctx.resourceKey,
        claim: claimOf(sender, look),
      });
    }
  } else {
    for (const s of batch.items) {
      const look = lookupIn(s.attrs, s.ctx.resource);
      const base =
        s.traceId && s.spanId
          ? `span\u0000${s.traceId}\u0000${s.spanId}`
          : `span\u0000${s.ctx.resourceKey}\u0000${s.name}\u0000${s.startNs}\u0000${attrsKey(s.attrs)}`;
      let mapped = false;
      const matches = matchRules(service(look), "span", s.name, look, s.parentSpanId === "");
      if (matches.length > 0) {
        mapped = true;
        units.push({
          index: s.index,
          look,
          matches,
          timeNs: s.endNs || s.startNs,
          key: base,
          resourceKey: s.ctx.resourceKey,
          claim: claimOf(sender, look),
        });
      }
      s.events.forEach((e, i) => {
        const elook = lookupIn(e.attrs, s.attrs, s.ctx.resource);
        const em = matchRules(service(elook), "span_event", e.name, elook);
        if (em.length === 0) return;
        mapped = true;
        units.push({
          index: s.index,
          look: elook,
          matches: em,
          timeNs: e.timeNs,
          key: `${base}\u0000e${i}`,
          resourceKey: s.ctx.resourceKey,
          claim: claimOf(sender, elook),
        });
      });
      if (!mapped) ignore(s.name);
    }
  }
  return { units, ignored };
}

/**
 * Takes a decoded OTLP batch into pilotlog (spec/otlp-ingest.md): attributes every mapped item to a user or
 * refuses it, turns counter points into increases against the series state, makes the native events of the
 * tools' tables and hands them to the native pipeline (validate, dedupe by id, fold), and adds tokens, cost and
 * lines to the usage table, all in one transaction: nothing is kept unless all of it is.
 */
export async function ingestOtlp(
  db: Db,
  batch: OtlpBatch,
  sender: Sender,
  opts: OtlpIngestOptions,
): Promise<OtlpIngestResult> {
  const ignoredNames = new Set<string>();
  const { units, ignored } = unitsOf(batch, sender, ignoredNames);
  const rejectedAt = new Map<number, string>();
  const reject = (u: Unit, message: string) => {
    if (!rejectedAt.has(u.index)) rejectedAt.set(u.index, message);
  };

  const nowMs = opts.now.getTime();
  const emails = units.flatMap((u) => ("email" in u.claim ? [u.claim.email] : []));
  const byEmail = await loginsByEmail(db, emails);
  const live: Unit[] = [];
  for (const u of units) {
    if ("error" in u.claim) {
      reject(u, u.claim.error);
      continue;
    }
    if ("email" in u.claim) {
      const login = byEmail.get(u.claim.email);
      if (!login) {
        reject(
          u,
          `user.email ${u.claim.email} is not listed under any user's emails in the directory file: add it there, or set enduser.id`,
        );
        continue;
      }
      u.login = login;
    } else u.login = u.claim.login;
    const ms = Number(u.timeNs / 1_000_000n);
    if (u.timeNs === 0n) {
      reject(
        u,
        "the item has no time (timeUnixNano is 0): pilotlog counts each item on the UTC day of its time",
      );
      continue;
    }
    if (ms > nowMs + FUTURE_MS) {
      reject(
        u,
        `its time ${isoOfNs(u.timeNs)} is more than 5 minutes in the future (server time ${opts.now.toISOString()}): check the clock`,
      );
      continue;
    }
    if (dayOfNs(u.timeNs) < opts.earliestDay) {
      reject(
        u,
        `its time ${isoOfNs(u.timeNs)} is older than the retention window: the oldest day accepted is ${opts.earliestDay}`,
      );
      continue;
    }
    if (u.point) {
      const p = u.point;
      const counter = (p.kind === "sum" && p.monotonic) || p.kind === "histogram";
      if (!counter || (p.temporality !== 1 && p.temporality !== 2)) {
        reject(
          u,
          `metric ${p.metric} is ${p.kind === "sum" ? (p.monotonic ? "a sum of unspecified temporality" : "a non-monotonic sum") : `a ${p.kind}`}: pilotlog counts monotonic sums and histograms, delta or cumulative`,
        );
        continue;
      }
      u.key = `metric\u0000${u.login.toLowerCase()}\u0000${p.ctx.resourceKey}\u0000${p.ctx.scopeName}\u0000${p.ctx.scopeVersion}\u0000${p.metric}\u0000${attrsKey(p.attrs)}`;
    }
    live.push(u);
  }

  const result = await db.transaction(async (outer) => {
    const tx = arraysAsLiterals(outer);
    const increases = await seriesIncreases(tx, db.engine, live, opts.now);
    // The md5 naming a log record or span: the base of its events' ids and of its `otlp_items` row.
    const itemHashOf = new Map<Unit, string>();
    for (const u of live) if (!u.point) itemHashOf.set(u, md5(`${u.login!.toLowerCase()}\u0000${u.key}`));
    const retried = await itemsSeenBefore(tx, itemHashOf);
    const owned: OwnedEvent[] = [];
    const pieces = new Pieces();
    // The items each event came from, so that an event the native pipeline refuses (past the cardinality
    // limits) refuses its items in partialSuccess.
    const itemsOf = new Map<string, number[]>();
    const own = (event: TelemetryEvent, login: string, items: number[], guarded = false) => {
      owned.push(guarded ? { event, login, guarded: true } : { event, login });
      const list = itemsOf.get(event.id);
      if (list) list.push(...items);
      else itemsOf.set(event.id, [...items]);
    };
    const usage: { login: string; day: string; add: UsageAdd; dedupe: string | null }[] = [];
    let pending = 0;
    const openers = new Set<string>();
    const limits = { now: opts.now, earliestDay: opts.earliestDay };
    for (const u of live) {
      const inc = u.point ? (increases.get(u) ?? 0) : 1;
      if (inc <= 0 || retried.has(u)) continue;
      const day = dayOfNs(u.timeNs);
      let timestamp = "";
      const itemHash = itemHashOf.get(u) ?? md5(`${u.key}\u0000${u.timeNs}`);
      for (const m of u.matches) {
        if (m.rule.usage) {
          for (const add of usageAdds(m, u.look, inc))
            usage.push({ login: u.login!, day, add, dedupe: null });
        }
        if (!m.rule.emit) continue;
        const unitsOfRule = u.point && m.rule.emit.per === "unit" ? Math.round(inc) : 1;
        if (unitsOfRule > MAX_UNITS_PER_POINT) {
          reject(
            u,
            `metric ${u.point!.metric} grew by ${unitsOfRule} in one point; at most ${MAX_UNITS_PER_POINT} are taken: check the counter`,
          );
          continue;
        }
        const fields = eventFields(m.rule, u.look, m.rule.emit.per === "unit" ? 1 : inc);
        if (!STORED_TYPES.has(fields.type)) {
          pending += unitsOfRule;
          continue;
        }
        if (timestamp === "") timestamp = isoOfNs(u.timeNs);
        for (let k = 0; k < unitsOfRule; k++) {
          // `fields` is this rule's own object (validation copies what it keeps): the wire fields are set on it
          // rather than spread into a new object per event.
          const wire = Object.assign(fields, {
            id: `otlp:${itemHash}:${m.ruleKey}:${k}`,
            timestamp,
            user: u.login,
          });
          const v = validateEvent(wire, limits);
          if (!v.ok) {
            reject(u, v.message);
            break;
          }
          if (m.rule.emit.countsOnly && (v.event.type === "agent.edit" || v.event.type === "agent.session"))
            v.event.countsOnly = true;
          if (m.rule.emit.session && v.event.type === "cli.session") {
            v.event.countsOnly = true;
            const named = fieldValue(m.rule.emit.session, u.look, inc);
            const session =
              named === undefined ? `resource\u0000${u.resourceKey}` : `id\u0000${String(named)}`;
            const opener = `${u.login!.toLowerCase()}\u0000${day}\u0000${session}`;
            if (!openers.has(opener)) {
              openers.add(opener);
              // The session itself, once per user and day: its id is the same in every export that carries a
              // piece of it, so the event_ids table counts it once across exports, retries and restarts.
              const open = validateEvent(
                {
                  ...fields,
                  prompts: 0,
                  requests: 0,
                  prompt_tokens: 0,
                  output_tokens: 0,
                  id: `otlp:cli-session:${md5(opener)}`,
                  timestamp,
                  user: u.login,
                },
                limits,
              );
              if (open.ok) own(open.event, u.login!, [u.index]);
            }
          }
          if (!pieces.take(v.event, u.login!, u.index)) own(v.event, u.login!, [u.index]);
        }
      }
    }
    // A merged piece's id is new with every request (made from its pieces' ids), and its items were deduplicated
    // above (otlp_items, series state): an event_ids row would guard nothing.
    for (const m of pieces.merged()) own(m.event, m.login, m.items, true);
    const events = await storeEvents(tx, owned, opts.today, db.engine);
    for (const r of events.rejected)
      for (const index of itemsOf.get(r.id) ?? [])
        if (!rejectedAt.has(index)) rejectedAt.set(index, r.message);
    const kept = await addUsage(tx, usage, opts.today);
    return { events, pending, usage: kept };
  });
  const rejected = [...rejectedAt.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, message]) => ({ index, message }));
  return { rejected, ignored, ignoredNames, ...result };
}

/**
 * The log records and spans (and span events) taken before, by a retried request or twice in this one: recorded
 * in `otlp_items` by user and content, in the caller's transaction (a retry racing its original waits on the
 * row, then finds it). Their events and usage are skipped; points have their series state instead.
 */
async function itemsSeenBefore(tx: Queryable, hashes: ReadonlyMap<Unit, string>): Promise<Set<Unit>> {
  const seen = new Set<Unit>();
  const idOf = new Map<Unit, string>();
  const days = new Map<string, string>();
  for (const [u, h] of hashes) {
    // Time first (milliseconds, 48 bits), then 80 bits of the md5: a request's items land side by side at the
    // right edge of the index instead of on as many random pages (on PGlite each page touched is file I/O).
    const t = (u.timeNs / 1_000_000n).toString(16).padStart(12, "0").slice(-12);
    const id = `${t.slice(0, 8)}-${t.slice(8, 12)}-${h.slice(0, 4)}-${h.slice(4, 8)}-${h.slice(8, 20)}`;
    if (days.has(id)) seen.add(u);
    else days.set(id, dayOfNs(u.timeNs));
    idOf.set(u, id);
  }
  if (idOf.size === 0) return seen;
  // Only the ids already there come back (a retry's; usually none).
  const ids = [...days.keys()].sort();
  const taken = await claimIds(
    tx,
    "otlp_items",
    ids,
    ids.map((i) => days.get(i)!),
  );
  if (taken.size === 0) return seen;
  for (const [u, id] of idOf) if (taken.has(id)) seen.add(u);
  return seen;
}

/**
 * The increase of every metric unit against its series, in the caller's transaction. Each series is locked (an
 * advisory lock on its key, taken in key order) so that two requests carrying the same point, a retry racing the
 * original, cannot both count it.
 */
async function seriesIncreases(
  tx: Queryable,
  engine: Db["engine"],
  units: readonly Unit[],
  now: Date,
): Promise<Map<Unit, number>> {
  const out = new Map<Unit, number>();
  const bySeries = new Map<string, Unit[]>();
  for (const u of units) {
    if (!u.point) continue;
    const h = md5(u.key);
    const list = bySeries.get(h);
    if (list) list.push(u);
    else bySeries.set(h, [u]);
  }
  if (bySeries.size === 0) return out;
  const hashes = [...bySeries.keys()].sort();
  // PGlite runs one transaction at a time; PostgreSQL needs the locks.
  if (engine === "postgres") {
    await tx.query(
      "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT k FROM unnest($1::bigint[]) AS k ORDER BY k) AS s",
      [hashes.map(seriesKeyOf)],
    );
  }
  const rows = await tx.query<{
    key_hash: string;
    start_ns: string | bigint;
    time_ns: string | bigint;
    value: number;
    fresh: boolean;
  }>(
    `SELECT key_hash::text, start_ns, time_ns, value, seen_at >= $3 AS fresh FROM otlp_series
     WHERE key_hash = ANY($1::bigint[]) AND seen_at >= $2`,
    [
      hashes.map(seriesKeyOf),
      new Date(now.getTime() - SERIES_TTL_MS).toISOString(),
      new Date(now.getTime() - SEEN_REFRESH_MS).toISOString(),
    ],
  );
  const byKey = new Map(hashes.map((h) => [seriesKeyOf(h), h]));
  const states = new Map<string, SeriesState>();
  const recentlySeen = new Set<string>();
  for (const r of rows) {
    const h = byKey.get(r.key_hash)!;
    states.set(h, {
      startNs: BigInt(String(r.start_ns)),
      timeNs: BigInt(String(r.time_ns)),
      value: Number(r.value),
    });
    if (r.fresh) recentlySeen.add(h);
  }
  const keys: string[] = [];
  const starts: string[] = [];
  const times: string[] = [];
  const values: number[] = [];
  for (const h of hashes) {
    const list = bySeries.get(h)!;
    list.sort((a, b) => (a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : 0));
    const before = states.get(h) ?? null;
    let state = before;
    // A state moved only by points that added nothing to a cumulative series (same start, same value) need not
    // be written: the next point measures its increase from the stored value just the same, and a retry of
    // such a point adds nothing either way.
    let changed = false;
    for (const u of list) {
      const p = u.point!;
      const step = stepSeries(state, {
        temporality: p.temporality as 1 | 2,
        startNs: p.startNs,
        timeNs: p.timeNs,
        value: p.value,
      });
      if (step.next) {
        if (
          !state ||
          step.increase > 0 ||
          step.next.startNs !== state.startNs ||
          step.next.value !== state.value
        )
          changed = true;
        state = step.next;
      }
      if (step.increase > 0) out.set(u, step.increase);
    }
    if (state && (changed || !recentlySeen.has(h))) {
      keys.push(seriesKeyOf(h));
      starts.push(String(state.startNs));
      times.push(String(state.timeNs));
      values.push(state.value);
    }
  }
  if (keys.length > 0) {
    await tx.query(
      `INSERT INTO otlp_series (key_hash, start_ns, time_ns, value, seen_at)
       SELECT k, s, t, v, $5 FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::float8[]) AS x(k, s, t, v)
       ON CONFLICT (key_hash) DO UPDATE SET start_ns = excluded.start_ns, time_ns = excluded.time_ns,
         value = excluded.value, seen_at = excluded.seen_at`,
      [keys, starts, times, values, now.toISOString()],
    );
  }
  return out;
}

/** Forgets series unseen for 24 hours and usage dedupe ids older than the window (called now and then). */
export async function forgetOtlpState(db: Queryable, now: Date, earliestDay: string): Promise<void> {
  await db.query("DELETE FROM otlp_series WHERE seen_at < $1", [
    new Date(now.getTime() - SERIES_TTL_MS).toISOString(),
  ]);
  await db.query("DELETE FROM otlp_items WHERE day < $1::date", [earliestDay]);
}

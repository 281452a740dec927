/**
 * Counter series arithmetic (spec/otlp-ingest.md "Counters"), pure: what one data point adds, given the last
 * point taken of its series.
 */

/** The last point taken of a series. */
export interface SeriesState {
  startNs: bigint;
  timeNs: bigint;
  value: number;
}

export interface CounterPoint {
  /** 1 delta, 2 cumulative. */
  temporality: 1 | 2;
  startNs: bigint;
  timeNs: bigint;
  value: number;
}

export interface Step {
  /** What the point adds to the day of its time. */
  increase: number;
  /** The series' new state, or null when the point changes nothing (a retry or an older point). */
  next: SeriesState | null;
  /** Why: for tests and logs. */
  reason: "delta" | "first" | "baseline" | "increase" | "reset" | "retry" | "older";
}

/**
 * Delta points add their value once: a point at or before the last time taken is a retry. Cumulative points add
 * their increase since the last point: a new start time or a smaller value is a reset (the whole value is the
 * increase); the first point of a series counts whole when its start differs from its time (the counter began
 * within the series' life), else it is the baseline; the same time again is a retry; an older time adds nothing.
 */
export function stepSeries(prev: SeriesState | null, p: CounterPoint): Step {
  const next = { startNs: p.startNs, timeNs: p.timeNs, value: p.value };
  if (p.temporality === 1) {
    if (prev && p.timeNs <= prev.timeNs) return { increase: 0, next: null, reason: "retry" };
    return { increase: p.value, next, reason: "delta" };
  }
  if (!prev) {
    return p.startNs !== p.timeNs
      ? { increase: p.value, next, reason: "first" }
      : { increase: 0, next, reason: "baseline" };
  }
  if (p.timeNs === prev.timeNs && p.startNs === prev.startNs)
    return { increase: 0, next: null, reason: "retry" };
  if (p.startNs !== prev.startNs) {
    // A point of the previous run arriving after the restart's first point is older, not a reset.
    if (p.timeNs < prev.timeNs) return { increase: 0, next: null, reason: "older" };
    return { increase: p.value, next, reason: "reset" };
  }
  if (p.timeNs < prev.timeNs) return { increase: 0, next: null, reason: "older" };
  if (p.value < prev.value) return { increase: p.value, next, reason: "reset" };
  return { increase: p.value - prev.value, next, reason: "increase" };
}

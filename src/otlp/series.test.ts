import { describe, expect, it } from "vitest";
import { type CounterPoint, type SeriesState, stepSeries } from "./series.js";

const S = 1_000_000_000n; // one second in nanoseconds
const cum = (start: bigint, time: bigint, value: number): CounterPoint => ({
  temporality: 2,
  startNs: start * S,
  timeNs: time * S,
  value,
});
const delta = (start: bigint, time: bigint, value: number): CounterPoint => ({
  ...cum(start, time, value),
  temporality: 1,
});

/** Runs points through one series, returning each increase. */
function run(points: CounterPoint[], state: SeriesState | null = null): number[] {
  const out: number[] = [];
  for (const p of points) {
    const s = stepSeries(state, p);
    out.push(s.increase);
    if (s.next) state = s.next;
  }
  return out;
}

describe("stepSeries", () => {
  it("cumulative: the first point counts whole when it started before its time, then increases", () => {
    // exports at 60 s, 120 s, 180 s of a counter started at 0 s: 3, 5, 9 → 3, +2, +4
    expect(run([cum(0n, 60n, 3), cum(0n, 120n, 5), cum(0n, 180n, 9)])).toEqual([3, 2, 4]);
  });
  it("cumulative: a first point whose start equals its time is a baseline", () => {
    expect(run([cum(100n, 100n, 7), cum(100n, 160n, 10)])).toEqual([0, 3]);
  });
  it("cumulative: the same time again is a retry and adds nothing", () => {
    expect(run([cum(0n, 60n, 3), cum(0n, 60n, 3), cum(0n, 120n, 4), cum(0n, 120n, 4)])).toEqual([3, 0, 1, 0]);
  });
  it("cumulative: a new start time is a reset (the exporter restarted): its whole value counts", () => {
    // 5 at 120 s, restart at 130 s, 2 at 190 s → 5 + 2 = 7 in all
    expect(run([cum(0n, 60n, 3), cum(0n, 120n, 5), cum(130n, 190n, 2), cum(130n, 250n, 6)])).toEqual([
      3, 2, 2, 4,
    ]);
  });
  it("cumulative: a smaller value with the same start is a reset too", () => {
    expect(run([cum(0n, 60n, 10), cum(0n, 120n, 4)])).toEqual([10, 4]);
  });
  it("cumulative: an older point (a late retry of an earlier export) adds nothing and keeps the state", () => {
    expect(run([cum(0n, 60n, 3), cum(0n, 120n, 5), cum(0n, 60n, 3), cum(0n, 180n, 6)])).toEqual([3, 2, 0, 1]);
  });
  it("cumulative: a point of the previous run arriving after the restart is older, not a reset", () => {
    expect(run([cum(0n, 120n, 5), cum(130n, 190n, 2), cum(0n, 125n, 6), cum(130n, 250n, 3)])).toEqual([
      5, 2, 0, 1,
    ]);
  });
  it("cumulative: continues from a stored state (a pilotlog restart loses nothing, counts nothing twice)", () => {
    const stored: SeriesState = { startNs: 0n, timeNs: 120n * S, value: 5 };
    expect(run([cum(0n, 120n, 5), cum(0n, 180n, 8)], stored)).toEqual([0, 3]);
  });
  it("delta: each point adds its value once; the same or an earlier time is a retry", () => {
    expect(
      run([
        delta(0n, 60n, 3),
        delta(60n, 120n, 2),
        delta(60n, 120n, 2),
        delta(120n, 180n, 0),
        delta(0n, 60n, 3),
      ]),
    ).toEqual([3, 2, 0, 0, 0]);
  });
  it("fractional values (cost in USD) increase as numbers", () => {
    expect(run([cum(0n, 60n, 0.25), cum(0n, 120n, 0.75)])).toEqual([0.25, 0.5]);
  });
});

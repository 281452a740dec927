import { describe, expect, it } from "vitest";
import { touchedDays } from "./dirty.js";

describe("touchedDays", () => {
  it("clips each range to the window and returns the union, sorted", () => {
    const ranges = [
      { since: "2026-11-13", until: null },
      { since: "2026-11-11", until: "2026-11-11" },
      { since: null, until: "2026-11-09" }, // ended before the window
      { since: "2026-11-13", until: null }, // the same range again
    ];
    expect(touchedDays(ranges, "2026-11-10", "2026-11-14")).toEqual([
      "2026-11-11",
      "2026-11-13",
      "2026-11-14",
    ]);
  });

  it("gives every window day for an unbounded range and none for no range", () => {
    expect(touchedDays([{ since: null, until: null }], "2026-02-27", "2026-03-01")).toEqual([
      "2026-02-27",
      "2026-02-28",
      "2026-03-01",
    ]);
    expect(touchedDays([], "2026-02-27", "2026-03-01")).toEqual([]);
  });
});

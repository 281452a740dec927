import { describe, expect, it } from "vitest";
import { daysToSync, scopeKeys } from "./run.js";

describe("which days a sync fetches", () => {
  it("fetches every day of the window on a first run, oldest first, ending yesterday", () => {
    expect(daysToSync("2026-11-20", 4, new Set())).toEqual([
      "2026-11-16",
      "2026-11-17",
      "2026-11-18",
      "2026-11-19",
    ]);
  });
  it("skips synced days except the last three, which GitHub may still change", () => {
    const synced = new Set(["2026-11-14", "2026-11-15", "2026-11-17", "2026-11-18", "2026-11-19"]);
    expect(daysToSync("2026-11-20", 6, synced)).toEqual([
      "2026-11-16",
      "2026-11-17",
      "2026-11-18",
      "2026-11-19",
    ]);
  });
  it("names enterprises first, lowercase, once each, and refuses nothing to sync", () => {
    expect(scopeKeys(["Octo", "octo"], ["Big"])).toEqual(["ent:big", "org:octo"]);
    expect(() => scopeKeys([], [])).toThrow(/--org LOGIN and\/or --enterprise SLUG/);
  });
});

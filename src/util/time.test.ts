import { describe, expect, it } from "vitest";
import { addDays, dayRange, isDay, parseQueryDay, parseRfc3339, utcDay } from "./time.js";

describe("UTC days", () => {
  it("recognises real calendar dates only", () => {
    expect(isDay("2024-02-29")).toBe(true);
    expect(isDay("2026-02-29")).toBe(false);
    expect(isDay("2026-1-01")).toBe(false);
  });
  it("adds days across months and years", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(dayRange("2026-11-29", "2026-12-01")).toEqual(["2026-11-29", "2026-11-30", "2026-12-01"]);
  });
  it("parses RFC 3339 with fractions and offsets, and refuses the rest", () => {
    expect(parseRfc3339("2026-11-22T09:15:02Z")?.toISOString()).toBe("2026-11-22T09:15:02.000Z");
    expect(utcDay(parseRfc3339("2026-11-22T23:30:00-02:00")!)).toBe("2026-11-23");
    expect(parseRfc3339("2026-11-22T09:15:02.123456Z")?.toISOString()).toBe("2026-11-22T09:15:02.123Z");
    for (const bad of [
      "2026-11-22",
      "2026-11-22 09:15:02Z",
      "2026-13-01T00:00:00Z",
      "2026-11-22T25:00:00Z",
      "now",
    ]) {
      expect(parseRfc3339(bad)).toBeNull();
    }
  });
  it("reads query days as GitHub does", () => {
    expect(parseQueryDay("2026-11-01")).toBe("2026-11-01");
    expect(parseQueryDay("2026-11-01T00:00:00+05:00")).toBe("2026-10-31");
    expect(parseQueryDay("2026-11")).toBeNull();
  });
});

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
  it("reads a leap second as the last millisecond of its own UTC day, in any offset", () => {
    expect(parseRfc3339("2016-12-31T23:59:60Z")?.toISOString()).toBe("2016-12-31T23:59:59.999Z");
    expect(parseRfc3339("2016-12-31T23:59:60.25z")?.toISOString()).toBe("2016-12-31T23:59:59.999Z");
    expect(parseRfc3339("2016-12-31T18:59:60-05:00")?.toISOString()).toBe("2016-12-31T23:59:59.999Z");
    expect(parseRfc3339("2017-01-01T00:59:60+01:00")?.toISOString()).toBe("2016-12-31T23:59:59.999Z");
    expect(parseQueryDay("2016-12-31T23:59:60Z")).toBe("2016-12-31");
    // Second 60 exists only at the end of a UTC day.
    expect(parseRfc3339("2016-12-31T12:59:60Z")).toBeNull();
    expect(parseRfc3339("2016-12-31T23:59:60+01:00")).toBeNull();
    expect(parseRfc3339("2016-12-31T23:59:61Z")).toBeNull();
  });
  it("takes fractions of any length, keeping milliseconds", () => {
    expect(parseRfc3339("2026-11-22T09:15:02.1234567890Z")?.toISOString()).toBe("2026-11-22T09:15:02.123Z");
    expect(parseRfc3339(`2026-11-22T09:15:02.${"9".repeat(30)}+01:00`)?.toISOString()).toBe(
      "2026-11-22T08:15:02.999Z",
    );
    expect(parseRfc3339("2026-11-22T09:15:02.Z")).toBeNull();
    expect(parseRfc3339("0050-03-01T00:00:00Z")?.toISOString()).toBe("0050-03-01T00:00:00.000Z");
    expect(parseRfc3339("2026-11-22T09:15:02+24:00")).toBeNull();
  });
  it("reads query days as GitHub does", () => {
    expect(parseQueryDay("2026-11-01")).toBe("2026-11-01");
    expect(parseQueryDay("2026-11-01T00:00:00+05:00")).toBe("2026-10-31");
    expect(parseQueryDay("2026-11")).toBeNull();
  });
});

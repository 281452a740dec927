import { describe, expect, it } from "vitest";
import { bodyOf } from "./body.js";

const rewritten = (o: Record<string, unknown>) => {
  const { report_start_day: _a, report_end_day: _b, ...rest } = o;
  return JSON.stringify(rest);
};

describe("bodyOf", () => {
  it("keeps a 1-day line as it came", () => {
    const line = '{"day": "2026-10-01","user_login":"a"}';
    expect(bodyOf(JSON.parse(line), line)).toBe(line);
  });

  it("cuts the window keys out of a compact 28-day line wherever they are, as re-serializing would write it", () => {
    for (const line of [
      '{"report_start_day":"2026-10-01","report_end_day":"2026-10-28","c":1}',
      '{"c":1,"report_start_day":"2026-10-01","report_end_day":"2026-10-28"}',
      '{"report_start_day":"2026-10-01","c":1,"report_end_day":"2026-10-28"}',
      '{"report_end_day":"2026-10-28","c":{"d":[1,"]"]},"report_start_day":"2026-10-01"}',
      '{"report_start_day":"2026-10-01","report_end_day":"2026-10-28"}',
      '{"report_start_day":"2026-10-01"}',
      '{"x":"{\\"[","report_end_day":"2026-10-28","y":2}',
    ]) {
      const o = JSON.parse(line) as Record<string, unknown>;
      expect(bodyOf(o, line)).toBe(rewritten(o));
    }
  });

  it("leaves the rest of the line byte for byte (spacing, number spelling)", () => {
    const line =
      '{"day": "2026-10-01","report_start_day":"2026-10-01","report_end_day":"2026-10-28","n": 1.0}';
    expect(bodyOf(JSON.parse(line), line)).toBe('{"day": "2026-10-01","n": 1.0}');
  });

  it("writes the value again when the keys are not there plainly once at the top level", () => {
    for (const line of [
      '{"a":{"report_start_day":"2026-10-01"},"report_start_day":"2026-10-01","b":2}',
      '{"report_start_day":"2026-10-01","report_start_day":"2026-10-02"}',
      '{"report_start_day":"2026-10-01","b":1,"report_start_day":"2026-10-01"}',
      '{"xreport_start_day":"a","report_start_day":"2026-10-01"}',
      '{"report_start_day": "2026-10-01",  "z": 1}',
      '{"report_start_day":null,"z":1}',
      '{"report_start_day":"2026-10-0\\u0031","z":1}',
    ]) {
      const o = JSON.parse(line) as Record<string, unknown>;
      expect(bodyOf(o, line)).toBe(rewritten(o));
    }
  });

  it("writes a parsed value (JSON array files) compactly", () => {
    expect(bodyOf({ a: 1, report_end_day: "2026-10-28" }, null)).toBe('{"a":1}');
    expect(bodyOf({ a: 1 }, null)).toBe('{"a":1}');
  });
});

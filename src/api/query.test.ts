import { describe, expect, it } from "vitest";
import { ApiError } from "../http/errors.js";
import { linkHeader, parseMetricsQuery } from "./query.js";

const W = { first: "2026-10-23", last: "2026-11-19", days: 28 };
const parse = (q: Record<string, string | string[]>) => parseMetricsQuery(q, W, "docs");

describe("parseMetricsQuery", () => {
  it("defaults to the whole window on one page", () => {
    expect(parse({})).toEqual({ first: "2026-10-23", last: "2026-11-19", page: 1, perPage: 28 });
  });

  it("takes the UTC day of timestamps with offsets and fractions, and clamps to the window", () => {
    expect(parse({ since: "2026-11-01T23:30:00-01:00", until: "2026-11-05T00:00:00.123Z" })).toMatchObject({
      first: "2026-11-02",
      last: "2026-11-05",
    });
    expect(parse({ since: "2020-01-01", until: "2030-01-01" })).toMatchObject({
      first: "2026-10-23",
      last: "2026-11-19",
    });
  });

  it("treats per_page above the window as the window", () => {
    expect(parse({ per_page: "500", page: "2" })).toMatchObject({ perPage: 28, page: 2 });
  });

  it.each([
    [{ since: "yesterday" }, "since"],
    [{ until: "2026-02-30" }, "until"],
    [{ since: "2026-11-10", until: "2026-11-09" }, "until"],
    [{ page: "0" }, "page"],
    [{ per_page: "ten" }, "per_page"],
    [{ since: ["2026-11-01", "2026-11-02"] }, "since"],
  ])("refuses %j naming %s", (q, field) => {
    try {
      parse(q);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(422);
      expect((err as ApiError).options.errors?.[0]).toMatchObject({ field, code: "invalid" });
    }
  });
});

describe("linkHeader", () => {
  const base = "http://h/orgs/o/copilot/metrics";
  const q = new URLSearchParams("since=2026-11-01&per_page=2");
  it("is absent for a single page", () => {
    expect(linkHeader(base, q, 1, 1)).toBeNull();
  });
  it("writes GitHub's rel order and keeps other parameters", () => {
    expect(linkHeader(base, q, 2, 3)).toBe(
      `<${base}?since=2026-11-01&per_page=2&page=1>; rel="prev", <${base}?since=2026-11-01&per_page=2&page=3>; rel="next", ` +
        `<${base}?since=2026-11-01&per_page=2&page=3>; rel="last", <${base}?since=2026-11-01&per_page=2&page=1>; rel="first"`,
    );
  });
});

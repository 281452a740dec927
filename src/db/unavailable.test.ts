import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./unavailable.js";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("isDatabaseUnavailable", () => {
  it.each([
    [withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED"), true],
    [withCode("terminating connection due to administrator command", "57P01"), true],
    [withCode("the database system is starting up", "57P03"), true],
    [withCode("connection failure", "08006"), true],
    [new Error("Connection terminated unexpectedly"), true],
    [new Error("Cannot use a pool after calling end on the pool"), true],
    [withCode('relation "nope" does not exist', "42P01"), false],
    [withCode("duplicate key value violates unique constraint", "23505"), false],
    [new Error("something else"), false],
    ["not an error", false],
  ])("%s → %s", (err, expected) => {
    expect(isDatabaseUnavailable(err)).toBe(expected);
  });
});

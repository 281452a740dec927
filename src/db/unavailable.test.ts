import { describe, expect, it } from "vitest";
import { databaseFault, isDatabaseUnavailable } from "./unavailable.js";

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

  it.each([
    [withCode("could not extend file: No space left on device", "53100"), "resources"],
    [withCode("out of memory", "53200"), "resources"],
    [withCode("sorry, too many clients already", "53300"), "resources"],
    [withCode("could not write to file: I/O error", "58030"), "resources"],
    [withCode("deadlock detected", "40P01"), "busy"],
    [withCode("could not serialize access due to concurrent update", "40001"), "busy"],
    [withCode("canceling statement due to user request", "57014"), "busy"],
    [withCode("terminating connection due to idle-session timeout", "57P05"), "unavailable"],
    [withCode("division by zero", "22012"), null],
  ])("%s is a fault of kind %s", (err, kind) => {
    expect(databaseFault(err)).toBe(kind);
  });
});

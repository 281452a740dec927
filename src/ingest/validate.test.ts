import { describe, expect, it } from "vitest";
import { validateEvent } from "./validate.js";

const now = new Date("2026-11-22T12:00:00Z");
const ctx = { now, earliestDay: "2026-10-25" };
const ok = (v: unknown) => {
  const r = validateEvent(v, ctx);
  if (!r.ok) throw new Error(r.message);
  return r.event;
};
const why = (v: unknown) => {
  const r = validateEvent(v, ctx);
  if (r.ok) throw new Error("expected a rejection");
  return r;
};
const base = { id: "e1", user: "mona", timestamp: "2026-11-22T09:15:02Z" };

describe("validateEvent", () => {
  it("reads the contract's example events", () => {
    expect(
      ok({ ...base, type: "completion.suggested", editor: "vscode", language: "python", lines: 4 }),
    ).toEqual({
      id: "e1",
      day: "2026-11-22",
      at: "2026-11-22T09:15:02.000Z",
      user: "mona",
      type: "completion.suggested",
      editor: "vscode",
      language: "python",
      model: "default",
      lines: 4,
    });
    expect(
      ok({
        ...base,
        id: "e2",
        type: "completion.accepted",
        editor: "vscode",
        language: "python",
        lines: 3,
        partial: true,
      }),
    ).toMatchObject({ partial: true, lines: 3 });
    expect(ok({ ...base, type: "chat.prompted", surface: "ide", editor: "vscode" })).toEqual({
      id: "e1",
      day: "2026-11-22",
      at: "2026-11-22T09:15:02.000Z",
      user: "mona",
      type: "chat.prompted",
      surface: "ide",
      editor: "vscode",
      model: "default",
    });
    expect(
      ok({ ...base, type: "pull_request.summarized", repository: "octo-org/api", model: "acme-pr-model" }),
    ).toEqual({
      id: "e1",
      day: "2026-11-22",
      at: "2026-11-22T09:15:02.000Z",
      user: "mona",
      type: "pull_request.summarized",
      repository: "octo-org/api",
      model: "acme-pr-model",
    });
    expect(ok({ ...base, type: "chat.prompted", surface: "dotcom" })).toMatchObject({
      surface: "dotcom",
      editor: null,
    });
    expect(ok({ ...base, type: "activity" })).toMatchObject({ engaged: false, feature: null });
    expect(
      ok({
        id: "e9",
        type: "chat.copied",
        timestamp: "2026-11-21T23:30:00-02:00",
        editor: "JetBrains",
        extra: 1,
      }),
    ).toMatchObject({ day: "2026-11-22", user: null });
  });

  it("accepts exactly 5 minutes ahead and the oldest day of the window, and nothing beyond", () => {
    expect(ok({ ...base, type: "activity", timestamp: "2026-11-22T12:05:00Z" }).day).toBe("2026-11-22");
    expect(why({ ...base, type: "activity", timestamp: "2026-11-22T12:05:00.001Z" }).message).toContain(
      "more than 5 minutes in the future",
    );
    expect(ok({ ...base, type: "activity", timestamp: "2026-10-25T00:00:00Z" }).day).toBe("2026-10-25");
    expect(why({ ...base, type: "activity", timestamp: "2026-10-24T23:59:59Z" }).message).toContain(
      "oldest day accepted is 2026-10-25",
    );
  });

  it.each([
    [[], "must be a JSON object"],
    [{ ...base, id: "", type: "activity" }, '"id" must be a string of 1–128'],
    [{ ...base, id: "x".repeat(129), type: "activity" }, '"id" must be a string'],
    [{ ...base, type: "completion.show" }, 'unknown event type "completion.show"'],
    [{ ...base, type: "activity", timestamp: "yesterday" }, '"timestamp" must be RFC 3339'],
    [{ ...base, type: "activity", user: "not a login" }, '"user" must be a login'],
    [
      { ...base, type: "completion.suggested", editor: "vscode", language: "python" },
      '"lines" must be an integer ≥ 0',
    ],
    [{ ...base, type: "completion.suggested", editor: "vscode", language: "python", lines: "3" }, 'got "3"'],
    [
      { ...base, type: "completion.accepted", editor: "vscode", language: "python", lines: -1 },
      '"lines" must be',
    ],
    [
      { ...base, type: "completion.accepted", editor: "vs code", language: "python", lines: 1 },
      '"editor" must be 1–64',
    ],
    [{ ...base, type: "completion.accepted", editor: "vscode", lines: 1 }, '"language" is required'],
    [
      { ...base, type: "completion.accepted", editor: "vscode", language: "go", lines: 1, partial: "yes" },
      '"partial" must be true or false',
    ],
    [{ ...base, type: "chat.prompted", surface: "ide" }, '"editor" is required'],
    [{ ...base, type: "chat.prompted", surface: "slack" }, '"surface" must be "ide" or "dotcom"'],
    [{ ...base, type: "chat.inserted" }, '"editor" is required'],
    [{ ...base, type: "pull_request.summarized", repository: "api" }, '"repository" must be owner/name'],
    [{ ...base, type: "pull_request.summarized", repository: "a/." }, 'not "." or ".."'],
    [{ ...base, type: "pull_request.summarized", repository: "a/.." }, 'not "." or ".."'],
    [{ ...base, type: "activity", engaged: 1 }, '"engaged" must be true or false'],
    [{ ...base, type: "activity", model: "" }, '"model" must be 1–64'],
  ])("rejects %j", (value, message) => {
    expect(why(value).message).toContain(message);
  });

  it("takes a leap second on its own UTC day, fractions of any length, and repository names with dots", () => {
    const at = (timestamp: string) =>
      ok({ ...base, timestamp, type: "activity" }) as { day: string; at: string };
    expect(at("2026-11-21T23:59:60Z")).toMatchObject({ day: "2026-11-21", at: "2026-11-21T23:59:59.999Z" });
    expect(at("2026-11-21T15:59:60-08:00")).toMatchObject({ day: "2026-11-21" });
    expect(at("2026-11-22T09:15:02.1234567891234Z")).toMatchObject({ at: "2026-11-22T09:15:02.123Z" });
    for (const repository of ["a/.a", "a/..a", "a/...", "a/a.", "a/.github"])
      expect(ok({ ...base, type: "pull_request.summarized", repository })).toMatchObject({ repository });
  });

  it("echoes the id of a rejected event when it has one", () => {
    expect(why({ ...base, type: "nope" })).toMatchObject({ id: "e1" });
    expect(why({ type: "nope" }).id).toBeUndefined();
  });
});

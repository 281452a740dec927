/**
 * RFC 3339 as written, end to end: a leap second counts on its own UTC day (23:59:60 on day D is day D) in events,
 * in `since`/`until` and in a directory token's `expires_at`; fractions may have more than 9 digits; repository
 * names `a/.` and `a/..` are refused (GitHub's naming rules).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";

const DIRECTORY = `
organizations:
  - login: leap-org
    owners: [boss]
    members: [u1, u2, u3, u4, u5]
    seats: [u1, u2, u3, u4, u5]
tokens:
  - { token: tok_relay, kind: ingest }
  - { token: tok_boss, user: boss, kind: classic, scopes: [read:org], expires_at: "2026-11-20T23:59:60Z" }
`;

const USERS = ["u1", "u2", "u3", "u4", "u5"];

for (const backend of backends) {
  describe(`RFC 3339 timestamps and repository names on ${backend.name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, "2026-11-20T12:00:00Z");
      await h.apply(DIRECTORY);
    });
    afterAll(() => h?.close());

    it("counts a leap second on its own UTC day and takes fractions of any length", async () => {
      const events = USERS.flatMap((user, i) => [
        // 23:59:60 UTC ends 11-18, written in UTC and in other offsets: day 11-18.
        {
          id: `leap-${i}`,
          type: "completion.suggested",
          user,
          timestamp: ["2026-11-18T23:59:60Z", "2026-11-18T18:59:60-05:00", "2026-11-19T00:59:60.5+01:00"][
            i % 3
          ],
          editor: "vscode",
          language: "go",
          lines: 1,
        },
        // Twelve fractional digits, first instant of 11-19: day 11-19, only for u1.
        ...(i === 0
          ? [
              {
                id: "frac-0",
                type: "completion.suggested",
                user,
                timestamp: "2026-11-19T00:00:00.000000000001Z",
                editor: "vscode",
                language: "go",
                lines: 1,
              },
            ]
          : []),
      ]);
      const sent = await h.send("tok_relay", events);
      expect(sent).toEqual({
        status: 202,
        body: { accepted: 6, duplicates: 0, dropped: 0, rejected: [] },
      });
      await h.process("2026-11-18");
      await h.process("2026-11-19");
      const res = await h.get(
        "/orgs/leap-org/copilot/metrics?since=2026-11-18T23:59:60Z&until=2026-11-19T00:00:00.0000000001Z",
        "tok_boss",
      );
      expect(res.status).toBe(200);
      const days = (await res.json()) as {
        date: string;
        copilot_ide_code_completions: {
          editors: { models: { languages: { total_code_suggestions: number }[] }[] }[];
        };
      }[];
      const suggestions = days.map((d) => [
        d.date,
        d.copilot_ide_code_completions.editors[0]!.models[0]!.languages[0]!.total_code_suggestions,
      ]);
      // The threshold counts seated members (5), not active ones: 11-19 is served with its one user.
      expect(suggestions).toEqual([
        ["2026-11-18", 5],
        ["2026-11-19", 1],
      ]);
    });

    it("refuses a second 60 that does not end a UTC day, and repository names . and ..", async () => {
      const base = { user: "u1", timestamp: "2026-11-19T10:00:00Z", model: "default" };
      const sent = await h.send("tok_relay", [
        { ...base, id: "r0", type: "activity", timestamp: "2026-11-19T10:59:60Z" },
        { ...base, id: "r1", type: "pull_request.summarized", repository: "a/." },
        { ...base, id: "r2", type: "pull_request.summarized", repository: "a/.." },
        { ...base, id: "r3", type: "pull_request.summarized", repository: "a/.github" },
      ]);
      expect(sent.status).toBe(202);
      expect(sent.body).toMatchObject({
        accepted: 1,
        rejected: [
          { index: 0, id: "r0", message: expect.stringContaining('"timestamp" must be RFC 3339') },
          { index: 1, id: "r1", message: expect.stringContaining('not "." or ".."') },
          { index: 2, id: "r2", message: expect.stringContaining('not "." or ".."') },
        ],
      });
    });

    it("keeps a token that expires at a leap second valid to the end of that day", async () => {
      h.clock.set("2026-11-20T23:59:59.500Z");
      expect((await h.get("/orgs/leap-org/copilot/metrics", "tok_boss")).status).toBe(200);
      h.clock.set("2026-11-21T00:00:00Z");
      expect((await h.get("/orgs/leap-org/copilot/metrics", "tok_boss")).status).toBe(401);
    });
  });
}

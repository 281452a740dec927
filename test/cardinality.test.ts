import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";

/*
 * telemetry-events.md v1.1: at most 100 distinct values each of editor, language, model, repository per user and
 * day; events past the limit are rejected with a message, the rest of the batch is accepted. Worked out by hand:
 *
 * - m1 sends completions in languages lang-000 … lang-149 on 2026-11-19: lang-000 … lang-079 in request 1 (80
 *   accepted), lang-080 … lang-149 in request 2 (20 accepted, the 50 of lang-100 … lang-149 rejected), plus in
 *   request 2 a completion in lang-005 (already stored: accepted) → 101 accepted events, 100 languages.
 * - m2, in request 2 too, sends python, go and lang-120: 3 accepted (m1's limit is m1's).
 * - The organization's document of 2026-11-19 then lists 103 languages: m1's 100 and python, go, lang-120.
 * - A rejected event's id is free: sent again for 2026-11-18 (a fresh day for m1) it is accepted.
 * - m3 sends 101 pull request summaries in distinct repositories in one request: 100 accepted, 1 rejected.
 */
const DIRECTORY = `
organizations:
  - login: card
    owners: [owner]
    members: [m1, m2, m3, m4, m5]
    seats: [m1, m2, m3, m4, m5]
tokens:
  - { token: tok_owner, user: owner, kind: classic, scopes: [read:org] }
  - { token: tok_relay, kind: ingest }
`;

const completion = (user: string, language: string, id = `${user}-${language}`, day = "2026-11-19") => ({
  id,
  type: "completion.suggested",
  user,
  timestamp: `${day}T10:00:00Z`,
  editor: "vscode",
  language,
  lines: 1,
});
const lang = (i: number) => `lang-${String(i).padStart(3, "0")}`;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

interface Answer {
  accepted: number;
  duplicates: number;
  dropped: number;
  rejected: { index: number; id: string; message: string }[];
}

for (const backend of backends) {
  describe(`per-user, per-day cardinality limits on ${backend.name}`, () => {
    let h: Harness;
    const send = async (events: object[]) => {
      const r = await h.send("tok_relay", events);
      expect(r.status).toBe(202);
      return r.body as unknown as Answer;
    };

    beforeAll(async () => {
      h = await startHarness(backend, "2026-11-20T12:00:00Z");
      await h.apply(DIRECTORY);
    });
    afterAll(() => h?.close());

    it("accepts 100 distinct languages for a user and day over two requests and rejects the other 50 by name", async () => {
      const first = await send(range(0, 80).map((i) => completion("m1", lang(i))));
      expect(first).toEqual({ accepted: 80, duplicates: 0, dropped: 0, rejected: [] });

      const second = [
        ...range(80, 150).map((i) => completion("m1", lang(i))),
        completion("m1", "lang-005", "m1-again-005"),
        completion("m2", "python"),
        completion("m2", "go"),
        completion("m2", "lang-120"),
      ];
      const answer = await send(second);
      expect(answer.accepted).toBe(20 + 1 + 3);
      expect(answer.duplicates).toBe(0);
      expect(answer.rejected.map((r) => r.index)).toEqual(range(20, 70));
      expect(answer.rejected.map((r) => r.id)).toEqual(range(100, 150).map((i) => `m1-${lang(i)}`));
      expect(answer.rejected[0]!.message).toBe(
        'limit of 100 distinct "language" values per user and day reached: "m1" already sent 100 on 2026-11-19, so the new value "lang-100" is refused; reuse one of them or send it another day',
      );
      for (const [k, r] of answer.rejected.entries()) expect(r.message).toContain(`"${lang(100 + k)}"`);
    });

    it("frees a rejected event's id: sent again for another day it is accepted", async () => {
      const again = await send([completion("m1", "lang-149", "m1-lang-149", "2026-11-18")]);
      expect(again).toEqual({ accepted: 1, duplicates: 0, dropped: 0, rejected: [] });
    });

    it("limits repositories the same way, within one request", async () => {
      const prs = range(0, 101).map((i) => ({
        id: `pr-${i}`,
        type: "pull_request.summarized",
        user: "m3",
        timestamp: "2026-11-19T11:00:00Z",
        repository: `card/repo-${i}`,
      }));
      const answer = await send(prs);
      expect(answer.accepted).toBe(100);
      expect(answer.rejected).toHaveLength(1);
      expect(answer.rejected[0]).toMatchObject({ index: 100, id: "pr-100" });
      expect(answer.rejected[0]!.message).toContain('distinct "repository" values');
      expect(answer.rejected[0]!.message).toContain('"card/repo-100"');
    });

    it("limits third-party agents (agent_id, v1.1) the same way", async () => {
      const sessions = range(0, 101).map((i) => ({
        id: `agent-${i}`,
        type: "agent.session",
        user: "m4",
        timestamp: "2026-11-19T12:00:00Z",
        agent_id: `agent-${i}`,
        agent_name: `Agent ${i}`,
        prompts: 1,
      }));
      const answer = await send(sessions);
      expect(answer.accepted).toBe(100);
      expect(answer.rejected).toHaveLength(1);
      expect(answer.rejected[0]).toMatchObject({ index: 100, id: "agent-100" });
      expect(answer.rejected[0]!.message).toContain('distinct "agent_id" values');
    });

    it("holds the limit for concurrent requests of one user and day", async () => {
      // m4 on 2026-11-17: four requests of 40 new languages at once; only 100 of the 160 can be accepted.
      const answers = await Promise.all(
        range(0, 4).map((r) =>
          send(range(r * 40, r * 40 + 40).map((i) => completion("m4", `c-${i}`, `m4-c-${i}`, "2026-11-17"))),
        ),
      );
      expect(answers.reduce((n, a) => n + a.accepted, 0)).toBe(100);
      expect(answers.reduce((n, a) => n + a.rejected.length, 0)).toBe(60);
    });

    it("holds the limit when many requests race for the last values of one user and day", async () => {
      // m5 on 2026-11-16: 90 languages first, then eight requests of 5 new languages and 5 of the stored ones at
      // once. Only 10 new ones fit: 10 of the 40 new events and all 40 repeats are accepted, 30 refused.
      const base = await send(range(0, 90).map((i) => completion("m5", `r-${i}`, `m5-r-${i}`, "2026-11-16")));
      expect(base.accepted).toBe(90);
      const answers = await Promise.all(
        range(0, 8).map((r) =>
          send([
            ...range(0, 5).map((i) =>
              completion("m5", `r-${90 + r * 5 + i}`, `m5-n-${r}-${i}`, "2026-11-16"),
            ),
            ...range(0, 5).map((i) => completion("m5", `r-${r * 5 + i}`, `m5-again-${r}-${i}`, "2026-11-16")),
          ]),
        ),
      );
      expect(answers.reduce((n, a) => n + a.accepted, 0)).toBe(50);
      expect(answers.reduce((n, a) => n + a.rejected.length, 0)).toBe(30);
      for (const a of answers) for (const r of a.rejected) expect(r.id).toMatch(/^m5-n-/);
    });

    it("processes a document with m1's 100 languages and m2's three", async () => {
      await h.process();
      const res = await h.get("/orgs/card/copilot/metrics?since=2026-11-19", "tok_owner");
      const [day] = (await res.json()) as {
        date: string;
        copilot_ide_code_completions: {
          languages: { name: string }[];
          editors: { models: { languages: { name: string; total_code_suggestions: number }[] }[] }[];
        };
        copilot_dotcom_pull_requests: { repositories: { name: string }[] };
      }[];
      expect(day!.date).toBe("2026-11-19");
      const names = day!.copilot_ide_code_completions.languages.map((l) => l.name).sort();
      expect(names).toEqual([...range(0, 100).map(lang), "go", "lang-120", "python"].sort());
      const suggestions = day!.copilot_ide_code_completions.editors[0]!.models[0]!.languages.reduce(
        (n, l) => n + l.total_code_suggestions,
        0,
      );
      expect(suggestions).toBe(101 + 3);
      expect(day!.copilot_dotcom_pull_requests.repositories).toHaveLength(100);
    });
  });
}

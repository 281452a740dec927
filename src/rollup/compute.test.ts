import { describe, expect, it } from "vitest";
import type { TelemetryEvent } from "../ingest/event.js";
import { addCounts, factKeyString, foldEvent } from "../ingest/fold.js";
import { computeDay, DayAccumulator } from "./compute.js";
import type { FactRow } from "./facts.js";
import { serializeDocument } from "./serialize.js";

// Every expected document below was worked out by hand from the events, not by running the code.

type E = TelemetryEvent extends infer T
  ? T extends unknown
    ? Omit<T, "id" | "day" | "at" | "user">
    : never
  : never;
const D = "2026-11-19";

/** Folds each user's events into facts, sorted by user, the way ingest stores them. */
function facts(byUser: Record<number, E[]>): FactRow[] {
  const rows: FactRow[] = [];
  for (const [user, events] of Object.entries(byUser)) {
    const m = new Map<string, FactRow>();
    for (const e of events) {
      const f = foldEvent({ ...e, id: "x", day: D, at: `${D}T10:00:00.000Z`, user: null } as TelemetryEvent);
      const k = factKeyString(f);
      const prev = m.get(k);
      m.set(k, prev ? { ...prev, ...addCounts(prev, f) } : { userId: Number(user), ...f });
    }
    rows.push(...m.values());
  }
  return rows.sort((a, b) => a.userId - b.userId);
}

const sug = (editor: string, language: string, lines: number, model = "default"): E => ({
  type: "completion.suggested",
  editor,
  language,
  lines,
  model,
});
const acc = (editor: string, language: string, lines: number, model = "default", partial = false): E => ({
  type: "completion.accepted",
  editor,
  language,
  lines,
  model,
  partial,
});
const ide = (editor: string, model = "default"): E => ({
  type: "chat.prompted",
  surface: "ide",
  editor,
  model,
});
const web = (model = "default"): E => ({ type: "chat.prompted", surface: "dotcom", editor: null, model });
const ins = (editor: string, model = "default"): E => ({ type: "chat.inserted", editor, model });
const cop = (editor: string, model = "default"): E => ({ type: "chat.copied", editor, model });
const pr = (repository: string, model = "default"): E => ({
  type: "pull_request.summarized",
  repository,
  model,
});
const act = (engaged: boolean): E => ({ type: "activity", engaged, feature: null });

const NONE = { total_engaged_users: 0 };
const DEF = { name: "default", is_custom_model: false, custom_model_training_date: null };
const everyone = (scopes: string[]) => () => scopes;
const run = (
  byUser: Record<number, E[]>,
  scopesOf: (u: number) => readonly string[] | undefined = everyone(["org:1"]),
  custom = new Map<string, string | null>(),
) => computeDay({ day: D, facts: facts(byUser), scopesOf, customModels: custom });

describe("computeDay: the day document of metrics-semantics.md", () => {
  it("counts active users (any event) apart from engaged users (accept, prompt, PR summary, engaged activity)", () => {
    const docs = run({
      1: [sug("vscode", "go", 2)], // active only
      2: [act(false)], // active only
      3: [act(true)], // engaged
      4: [web()], // engaged
      5: [ins("vscode"), cop("vscode")], // active only: inserting and copying is not prompting
    });
    const doc = docs.get("org:1")!;
    expect([doc.total_active_users, doc.total_engaged_users]).toEqual([5, 2]);
  });

  it("counts partial acceptances as acceptances and sums lines per editor, model and language leaf", () => {
    const doc = run({
      1: [
        sug("vscode", "python", 4),
        acc("vscode", "python", 3, "default", true),
        sug("vscode", "python", 6),
        acc("vscode", "python", 6),
      ],
      2: [
        sug("vscode", "python", 1),
        sug("JetBrains", "python", 2),
        acc("JetBrains", "python", 2),
        sug("vscode", "ruby", 5),
      ],
    }).get("org:1")!;
    expect(doc).toEqual({
      date: D,
      total_active_users: 2,
      total_engaged_users: 2,
      copilot_ide_code_completions: {
        total_engaged_users: 2,
        languages: [
          { name: "python", total_engaged_users: 2 },
          { name: "ruby", total_engaged_users: 0 },
        ],
        editors: [
          {
            name: "JetBrains",
            total_engaged_users: 1,
            models: [
              {
                ...DEF,
                total_engaged_users: 1,
                languages: [
                  {
                    name: "python",
                    total_engaged_users: 1,
                    total_code_suggestions: 1,
                    total_code_acceptances: 1,
                    total_code_lines_suggested: 2,
                    total_code_lines_accepted: 2,
                  },
                ],
              },
            ],
          },
          {
            name: "vscode",
            total_engaged_users: 1,
            models: [
              {
                ...DEF,
                total_engaged_users: 1,
                languages: [
                  {
                    name: "python",
                    total_engaged_users: 1,
                    total_code_suggestions: 3,
                    total_code_acceptances: 2,
                    total_code_lines_suggested: 11,
                    total_code_lines_accepted: 9,
                  },
                  {
                    name: "ruby",
                    total_engaged_users: 0,
                    total_code_suggestions: 1,
                    total_code_acceptances: 0,
                    total_code_lines_suggested: 5,
                    total_code_lines_accepted: 0,
                  },
                ],
              },
            ],
          },
        ],
      },
      copilot_ide_chat: NONE,
      copilot_dotcom_chat: NONE,
      copilot_dotcom_pull_requests: NONE,
    });
  });

  it("splits completions per model inside an editor, and names custom models with their training date", () => {
    const custom = new Map([["acme-model", "2024-02-01"]]);
    const doc = run(
      {
        1: [acc("neovim", "go", 1, "acme-model")],
        2: [acc("neovim", "go", 2), sug("neovim", "go", 3, "acme-model")],
      },
      everyone(["org:1"]),
      custom,
    ).get("org:1")!;
    expect(doc.copilot_ide_code_completions).toEqual({
      total_engaged_users: 2,
      languages: [{ name: "go", total_engaged_users: 2 }],
      editors: [
        {
          name: "neovim",
          total_engaged_users: 2,
          models: [
            {
              name: "acme-model",
              is_custom_model: true,
              custom_model_training_date: "2024-02-01",
              total_engaged_users: 1,
              languages: [
                {
                  name: "go",
                  total_engaged_users: 1,
                  total_code_suggestions: 1,
                  total_code_acceptances: 1,
                  total_code_lines_suggested: 3,
                  total_code_lines_accepted: 1,
                },
              ],
            },
            {
              ...DEF,
              total_engaged_users: 1,
              languages: [
                {
                  name: "go",
                  total_engaged_users: 1,
                  total_code_suggestions: 0,
                  total_code_acceptances: 1,
                  total_code_lines_suggested: 0,
                  total_code_lines_accepted: 2,
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it("reports IDE chat per editor and model with chats, insertions and copies; an editor with only copies has 0 engaged", () => {
    const custom = new Map<string, string | null>([["acme-chat", null]]);
    const doc = run(
      {
        1: [ide("vscode"), ide("vscode"), ins("vscode"), cop("vscode"), ide("vscode", "acme-chat")],
        2: [ide("vscode"), ins("vscode"), ins("vscode")],
        3: [cop("Xcode")],
      },
      everyone(["org:1"]),
      custom,
    ).get("org:1")!;
    expect(doc.total_engaged_users).toBe(2);
    expect(doc.copilot_ide_chat).toEqual({
      total_engaged_users: 2,
      editors: [
        {
          name: "vscode",
          total_engaged_users: 2,
          models: [
            {
              ...DEF,
              total_engaged_users: 2,
              total_chats: 3,
              total_chat_insertion_events: 3,
              total_chat_copy_events: 1,
            },
            {
              name: "acme-chat",
              is_custom_model: true,
              custom_model_training_date: null,
              total_engaged_users: 1,
              total_chats: 1,
              total_chat_insertion_events: 0,
              total_chat_copy_events: 0,
            },
          ],
        },
        {
          name: "Xcode",
          total_engaged_users: 0,
          models: [
            {
              ...DEF,
              total_engaged_users: 0,
              total_chats: 0,
              total_chat_insertion_events: 0,
              total_chat_copy_events: 1,
            },
          ],
        },
      ],
    });
  });

  it("reports github.com chat per model", () => {
    const doc = run({ 1: [web(), web(), web("gpt-x")], 2: [web("gpt-x")] }).get("org:1")!;
    expect(doc.copilot_dotcom_chat).toEqual({
      total_engaged_users: 2,
      models: [
        {
          name: "gpt-x",
          is_custom_model: false,
          custom_model_training_date: null,
          total_engaged_users: 2,
          total_chats: 2,
        },
        { ...DEF, total_engaged_users: 1, total_chats: 2 },
      ],
    });
    expect(doc.copilot_ide_chat).toEqual(NONE);
  });

  it("reports PR summaries per repository and model", () => {
    const custom = new Map([["acme-pr-model", "2024-02-01"]]);
    const doc = run(
      {
        1: [pr("octo/api"), pr("octo/api"), pr("octo/web", "acme-pr-model")],
        2: [pr("octo/web", "acme-pr-model")],
        3: [pr("octo/web")],
      },
      everyone(["org:1"]),
      custom,
    ).get("org:1")!;
    expect(doc.copilot_dotcom_pull_requests).toEqual({
      total_engaged_users: 3,
      repositories: [
        {
          name: "octo/web",
          total_engaged_users: 3,
          models: [
            {
              name: "acme-pr-model",
              is_custom_model: true,
              custom_model_training_date: "2024-02-01",
              total_pr_summaries_created: 2,
              total_engaged_users: 2,
            },
            { ...DEF, total_pr_summaries_created: 1, total_engaged_users: 1 },
          ],
        },
        {
          name: "octo/api",
          total_engaged_users: 1,
          models: [{ ...DEF, total_pr_summaries_created: 2, total_engaged_users: 1 }],
        },
      ],
    });
  });

  it("adds each user to every scope they count in, skips users who count nowhere, and leaves out scopes without activity", () => {
    const scopes: Record<number, string[]> = {
      1: ["org:1", "team:7", "ent:1"],
      2: ["org:1", "ent:1"],
      3: ["ent:1"],
    };
    const docs = run(
      { 1: [acc("vscode", "go", 1)], 2: [sug("vscode", "go", 1)], 3: [web()], 4: [web()] },
      (u) => scopes[u],
    );
    expect([...docs.keys()].sort()).toEqual(["ent:1", "org:1", "team:7"]);
    const summary = (s: string) => [docs.get(s)!.total_active_users, docs.get(s)!.total_engaged_users];
    expect(summary("org:1")).toEqual([2, 1]);
    expect(summary("team:7")).toEqual([1, 1]);
    expect(summary("ent:1")).toEqual([3, 2]); // user 4 counts nowhere
    expect(run({}, everyone(["org:1"])).size).toBe(0);
  });

  it("orders entries by engaged users descending, then name ascending, so equal data gives equal bytes", () => {
    const doc = run({
      1: [acc("b", "zig", 1), acc("a", "zig", 1), sug("c", "ada", 1)],
      2: [acc("b", "zig", 1), sug("B", "Ada", 1)],
    }).get("org:1")!;
    expect(doc.copilot_ide_code_completions.editors!.map((e) => [e.name, e.total_engaged_users])).toEqual([
      ["b", 2],
      ["a", 1],
      ["B", 0],
      ["c", 0],
    ]);
    expect(doc.copilot_ide_code_completions.languages!.map((l) => l.name)).toEqual(["zig", "Ada", "ada"]);
    const again = run({
      2: [sug("B", "Ada", 1), acc("b", "zig", 1)],
      1: [sug("c", "ada", 1), acc("a", "zig", 1), acc("b", "zig", 1)],
    }).get("org:1")!;
    expect(serializeDocument(again)).toEqual(serializeDocument(doc));
    expect(serializeDocument(doc).hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("DayAccumulator: computeDay in chunks", () => {
  it("gives the same documents wherever the chunks split, even inside one user's rows", () => {
    const byUser: Record<number, E[]> = {
      1: [sug("vscode", "go", 3), acc("vscode", "go", 2), ide("vscode")],
      2: [sug("vim", "rust", 4), sug("vim", "go", 1), web(), pr("o/r")],
      3: [act(true)],
      4: [sug("vscode", "go", 5), acc("vscode", "go", 5, "default", true), cop("vscode"), ins("vscode")],
    };
    const rows = facts(byUser);
    const scopesOf = (u: number) => (u === 3 ? ["org:1"] : ["org:1", `team:${u % 2}`]);
    const whole = computeDay({ day: D, facts: rows, scopesOf, customModels: new Map() });
    for (let size = 1; size <= rows.length; size++) {
      const chunked = new DayAccumulator(scopesOf);
      for (let i = 0; i < rows.length; i += size) chunked.add(rows.slice(i, i + size));
      chunked.add([]);
      const docs = chunked.finish(D, new Map());
      expect([...docs.keys()].sort()).toEqual([...whole.keys()].sort());
      for (const [scope, doc] of whole)
        expect(serializeDocument(docs.get(scope)!)).toEqual(serializeDocument(doc));
      expect(chunked.facts).toBe(rows.length);
      expect(chunked.activeUsers).toBe(4);
    }
  });
});

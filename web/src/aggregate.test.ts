import { describe, expect, it } from "vitest";
import { dailySeries, dayCompletions, rate } from "./aggregate.js";
import type { CompletionLanguageCounts, DayMetrics } from "./metrics-types.js";

const model = { is_custom_model: false, custom_model_training_date: null, total_engaged_users: 1 };
const lang = (name: string, s: number, a: number, ls: number, la: number): CompletionLanguageCounts => ({
  name,
  total_engaged_users: 1,
  total_code_suggestions: s,
  total_code_acceptances: a,
  total_code_lines_suggested: ls,
  total_code_lines_accepted: la,
});

/** Two editors, one with two languages: 10 + 6 + 4 suggestions, 5 + 3 + 0 accepted. */
const DAY: DayMetrics = {
  date: "2026-11-10",
  total_active_users: 3,
  total_engaged_users: 2,
  copilot_ide_code_completions: {
    total_engaged_users: 2,
    editors: [
      {
        name: "vscode",
        total_engaged_users: 1,
        models: [
          { ...model, name: "default", languages: [lang("go", 10, 5, 20, 8), lang("ts", 6, 3, 9, 3)] },
        ],
      },
      {
        name: "jetbrains",
        total_engaged_users: 1,
        models: [{ ...model, name: "default", languages: [lang("go", 4, 0, 4, 0)] }],
      },
    ],
  },
  copilot_ide_chat: {
    total_engaged_users: 1,
    editors: [
      {
        name: "vscode",
        total_engaged_users: 1,
        models: [
          {
            ...model,
            name: "default",
            total_chats: 7,
            total_chat_insertion_events: 2,
            total_chat_copy_events: 1,
          },
        ],
      },
    ],
  },
  copilot_dotcom_chat: { total_engaged_users: 0 },
  copilot_dotcom_pull_requests: {
    total_engaged_users: 1,
    repositories: [
      {
        name: "o/r",
        total_engaged_users: 1,
        models: [{ ...model, name: "default", total_pr_summaries_created: 2 }],
      },
    ],
  },
};

describe("aggregate", () => {
  it("sums a day's completions over editors, models and languages", () => {
    expect(dayCompletions(DAY)).toEqual({
      suggestions: 20,
      acceptances: 8,
      linesSuggested: 33,
      linesAccepted: 11,
    });
    expect(rate(8, 20)).toBe(40);
    expect(rate(0, 0)).toBeNull();
  });

  it("gives every day of the range a point, null where the API left the day out", () => {
    const s = dailySeries([DAY], "2026-11-09", "2026-11-11");
    expect(s.days).toEqual(["2026-11-09", "2026-11-10", "2026-11-11"]);
    expect(s.active).toEqual([null, 3, null]);
    expect(s.suggestions).toEqual([null, 20, null]);
    expect(s.rateByCount).toEqual([null, 40, null]);
    expect(s.rateByLines).toEqual([null, (11 / 33) * 100, null]);
    expect(s.ideChats).toEqual([null, 7, null]);
    expect(s.dotcomChats).toEqual([null, 0, null]);
    expect(s.prSummaries).toEqual([null, 2, null]);
  });
});

import { describe, expect, it } from "vitest";
import type { TelemetryEvent } from "../ingest/event.js";
import { addCounts, factKeyString, foldFacts } from "../ingest/fold.js";
import { validateEvent } from "../ingest/validate.js";
import { computeDay } from "./compute.js";
import type { FactRow } from "./facts.js";

// metrics-semantics.md v1.1: legacy IDE chat is ask/inline/unknown mode only; agent.edit, CLI and agent sessions
// with prompts make a user engaged; every type makes a user active. Expected documents worked out by hand.

const D = "2026-11-19";
const ctx = { now: new Date(`${D}T23:00:00Z`), earliestDay: "2026-10-01" };
let n = 0;
const ev = (o: Record<string, unknown>): TelemetryEvent => {
  const r = validateEvent({ id: `e${n++}`, timestamp: `${D}T10:00:00Z`, ...o }, ctx);
  if (!r.ok) throw new Error(r.message);
  return r.event;
};
function facts(byUser: Record<number, Record<string, unknown>[]>): FactRow[] {
  const rows: FactRow[] = [];
  for (const [user, events] of Object.entries(byUser)) {
    const m = new Map<string, FactRow>();
    for (const e of events)
      for (const f of foldFacts(ev(e))) {
        const k = factKeyString(f);
        const prev = m.get(k);
        m.set(k, prev ? { ...prev, ...addCounts(prev, f) } : { userId: Number(user), ...f });
      }
    rows.push(...m.values());
  }
  return rows.sort((a, b) => a.userId - b.userId);
}
const run = (byUser: Record<number, Record<string, unknown>[]>) =>
  computeDay({ day: D, facts: facts(byUser), scopesOf: () => ["org:1"], customModels: new Map() }).get(
    "org:1",
  )!;
const DEF = { name: "default", is_custom_model: false, custom_model_training_date: null };
const chat = (mode?: string, type = "chat.prompted") => ({
  type,
  surface: "ide",
  editor: "vscode",
  ...(mode ? { mode } : {}),
});

describe("legacy documents from v1.1 events", () => {
  it("counts only ask, inline and unknown mode in copilot_ide_chat; other modes still engage the user", () => {
    const doc = run({
      1: [
        chat("ask"),
        chat("inline"),
        chat(undefined),
        chat("ask", "chat.inserted"),
        chat("inline", "chat.copied"),
      ],
      2: [chat("agent"), chat("edit", "chat.inserted")],
      3: [chat("plan"), chat("custom")],
      4: [chat("edit", "chat.copied")],
    });
    expect(doc.total_active_users).toBe(4);
    // 1, 2, 3 prompted (any mode is a chat.prompted); 4 only copied.
    expect(doc.total_engaged_users).toBe(3);
    expect(doc.copilot_ide_chat).toEqual({
      total_engaged_users: 1,
      editors: [
        {
          name: "vscode",
          total_engaged_users: 1,
          models: [
            {
              ...DEF,
              total_engaged_users: 1,
              total_chats: 3,
              total_chat_insertion_events: 1,
              total_chat_copy_events: 1,
            },
          ],
        },
      ],
    });
  });

  it("makes agent edits and sessions with prompts engaged, and every new type active", () => {
    const doc = run({
      1: [{ type: "agent.edit", editor: "vscode", lines_added: 3 }],
      2: [{ type: "cli.session", prompts: 1 }],
      3: [{ type: "cli.session", prompts: 0, requests: 4 }],
      4: [{ type: "agent.session", agent_id: "codex", agent_name: "Codex", prompts: 2 }],
      5: [{ type: "agent.session", agent_id: "codex", agent_name: "Codex" }],
      6: [{ type: "chat.code_generated", editor: "vscode", mode: "ask", lines: 5 }],
    });
    expect([doc.total_active_users, doc.total_engaged_users]).toEqual([6, 3]);
    expect(doc.copilot_ide_chat).toEqual({ total_engaged_users: 0 });
    expect(doc.copilot_ide_code_completions).toEqual({ total_engaged_users: 0 });
  });
});

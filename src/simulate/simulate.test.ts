import { describe, expect, it } from "vitest";
import type { TelemetryEvent } from "../ingest/event.js";
import { addCounts, factKeyString, foldEvent } from "../ingest/fold.js";
import { validateEvent } from "../ingest/validate.js";
import { computeDay } from "../rollup/compute.js";
import type { DayDocument } from "../rollup/document.js";
import type { FactRow } from "../rollup/facts.js";
import { serializeDocument } from "../rollup/serialize.js";
import { buildWorld, simulate, type World } from "./index.js";

const TODAY = "2026-11-20";

/** Runs the world's events through validation, folding and the day computation: one org-wide scope per org. */
function documents(w: World): Map<string, DayDocument> {
  const ids = new Map(w.users.map((u, i) => [u.login, i + 1]));
  const orgOf = new Map(w.users.map((u) => [ids.get(u.login)!, u.org]));
  const out = new Map<string, DayDocument>();
  for (const { day, events } of simulate(w)) {
    const facts = new Map<string, FactRow>();
    for (const raw of events) {
      const v = validateEvent(raw, { now: new Date(`${TODAY}T00:00:00Z`), earliestDay: w.first });
      if (!v.ok) throw new Error(`the simulator made an invalid event: ${v.message}`);
      const e: TelemetryEvent = v.event;
      const f = foldEvent(e);
      const userId = ids.get(e.user!)!;
      const key = `${String(userId).padStart(6, "0")}|${factKeyString(f)}`;
      const prev = facts.get(key);
      facts.set(key, prev ? { ...prev, ...addCounts(prev, f) } : { userId, ...f });
    }
    const rows = [...facts.values()].sort((a, b) => a.userId - b.userId);
    const docs = computeDay({
      day,
      facts: rows,
      scopesOf: (u) => ["all", `org:${orgOf.get(u)}`],
      customModels: new Map([["demo-pr-model", "2026-06-01"]]),
    });
    for (const [scope, doc] of docs) out.set(`${scope}@${day}`, doc);
  }
  return out;
}

describe("the simulator", () => {
  const world = buildWorld({ users: 300, seed: "demo", today: TODAY });
  const docs = documents(world);

  it("gives byte-identical documents for the same seed and different ones for another seed", () => {
    const again = documents(buildWorld({ users: 300, seed: "demo", today: TODAY }));
    expect([...again.keys()]).toEqual([...docs.keys()]);
    for (const [k, d] of docs) expect(serializeDocument(again.get(k)!).body).toBe(serializeDocument(d).body);
    const other = documents(buildWorld({ users: 300, seed: "other", today: TODAY }));
    expect(serializeDocument(other.get(`all@2026-11-19`)!).hash).not.toBe(
      serializeDocument(docs.get(`all@2026-11-19`)!).hash,
    );
  });

  it("builds the world the demo promises", () => {
    expect(world.orgs.map((o) => o.policy)).toEqual(["enabled", "enabled", "disabled"]);
    expect(world.teams).toHaveLength(12);
    expect(world.teams.filter((t) => t.members.length < 5).length).toBeGreaterThanOrEqual(2);
    expect(world.teams.filter((t) => t.members.length >= 5).length).toBeGreaterThanOrEqual(8);
    expect(world.enterpriseTeams).toHaveLength(2);
    expect(world.users.filter((u) => !u.telemetry).length).toBeGreaterThan(0);
    expect(world.users.filter((u) => u.since).length).toBeGreaterThan(0);
    expect(world.users.filter((u) => u.until).length).toBeGreaterThan(0);
    expect(new Set(world.users.map((u) => u.editor))).toEqual(
      new Set(["vscode", "JetBrains", "neovim", "VisualStudio", "Xcode"]),
    );
    expect(new Set(world.users.flatMap((u) => u.languages)).size).toBe(13);
    expect(world.repositories).toHaveLength(12);
  });

  it("keeps the invariants on every generated day", () => {
    let sugg = 0;
    let acc = 0;
    for (const [key, d] of docs) {
      if (!key.startsWith("all@")) continue;
      expect(d.total_engaged_users).toBeLessThanOrEqual(d.total_active_users);
      for (const ed of d.copilot_ide_code_completions.editors ?? [])
        for (const m of ed.models)
          for (const l of m.languages) {
            expect(l.total_code_suggestions).toBeGreaterThanOrEqual(l.total_code_acceptances);
            expect(l.total_code_lines_suggested).toBeGreaterThanOrEqual(l.total_code_lines_accepted);
            sugg += l.total_code_suggestions;
            acc += l.total_code_acceptances;
          }
    }
    expect(acc / sugg).toBeGreaterThan(0.25);
    expect(acc / sugg).toBeLessThan(0.35);
  });

  it("has a weekday/weekend rhythm, growing adoption, chat, github.com chat, PR summaries and the custom model", () => {
    const all = [...docs].filter(([k]) => k.startsWith("all@")).map(([k, d]) => ({ day: k.slice(4), d }));
    const weekend = (day: string) => [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const weekdays = all.filter((x) => !weekend(x.day));
    expect(avg(weekdays.map((x) => x.d.total_active_users))).toBeGreaterThan(
      3 * avg(all.filter((x) => weekend(x.day)).map((x) => x.d.total_active_users)),
    );
    expect(avg(weekdays.slice(-5).map((x) => x.d.total_active_users))).toBeGreaterThan(
      avg(weekdays.slice(0, 5).map((x) => x.d.total_active_users)),
    );
    const day = all.at(-2)!.d;
    expect(
      day.copilot_ide_chat.editors?.some((e) =>
        e.models.some((m) => m.total_chat_insertion_events > 0 && m.total_chat_copy_events > 0),
      ),
    ).toBe(true);
    expect(day.copilot_dotcom_chat.total_engaged_users).toBeGreaterThan(0);
    expect(
      all.some((x) =>
        x.d.copilot_dotcom_pull_requests.repositories?.some((r) => r.models.some((m) => m.is_custom_model)),
      ),
    ).toBe(true);
  });
});

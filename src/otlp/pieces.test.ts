import { describe, expect, it } from "vitest";
import type { TelemetryEvent } from "../ingest/event.js";
import { Pieces } from "./pieces.js";

const base = { user: null, day: "2026-11-20" };
const prompt = (id: string, at: string, agentId = "claude-code", piece = true): TelemetryEvent => ({
  ...base,
  id,
  at,
  type: "agent.session",
  agentId,
  agentName: "Claude Code",
  prompts: 1,
  ...(piece ? { countsOnly: true as const } : {}),
});

describe("Pieces", () => {
  it("merges the pieces of one user, day, type and names, summing their counters; keeps the others apart", () => {
    const p = new Pieces();
    expect(p.take(prompt("a", "2026-11-20T09:00:00.000Z"), "tom")).toBe(true);
    expect(p.take(prompt("b", "2026-11-20T10:00:00.000Z"), "Tom")).toBe(true);
    expect(p.take(prompt("c", "2026-11-20T09:30:00.000Z"), "tom")).toBe(true);
    expect(p.take(prompt("d", "2026-11-20T09:00:00.000Z", "gemini-cli"), "tom")).toBe(true);
    expect(p.take(prompt("e", "2026-11-20T09:00:00.000Z", "claude-code", false), "tom")).toBe(false);
    const merged = p.merged();
    expect(
      merged.map((m) => [
        m.login,
        m.event.type === "agent.session" && m.event.agentId,
        (m.event as { prompts: number }).prompts,
        m.event.at,
      ]),
    ).toEqual([
      ["tom", "claude-code", 3, "2026-11-20T10:00:00.000Z"],
      ["tom", "gemini-cli", 1, "2026-11-20T09:00:00.000Z"],
    ]);
    // The id is made from the pieces' ids, whatever their order.
    const q = new Pieces();
    for (const id of ["c", "a", "b"]) q.take(prompt(id, "2026-11-20T09:00:00.000Z"), "tom");
    expect(q.merged()[0]!.event.id).toBe(merged[0]!.event.id);
  });
});

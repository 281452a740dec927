import { describe, expect, it } from "vitest";
import { ManualClock } from "../util/clock.js";
import type { SyncSummary } from "./run.js";
import { SyncScheduler, syncLine } from "./scheduler.js";

const summary: SyncSummary = {
  api: "https://api.github.com",
  scopes: [
    {
      scope: "org:octo",
      members: 12,
      teams: 2,
      seats: 10,
      days: 3,
      unavailable: 0,
      records: 31,
      teamRows: 40,
      orgTeamRows: 0,
      splitUserDays: 0,
      problems: [],
      error: null,
    },
  ],
  directory: null,
  daysChanged: ["2026-11-17", "2026-11-18", "2026-11-19"],
  waits: 2,
};

describe("serve --sync-every", () => {
  it("runs when the period has passed by the injected clock, once at a time, and again when the clock moves back", async () => {
    const clock = new ManualClock(new Date("2026-11-20T00:00:00Z"));
    let runs = 0;
    const lines: string[] = [];
    const s = new SyncScheduler(clock, {
      everyMs: 24 * 3_600_000,
      run: async () => {
        runs++;
        return summary;
      },
      onDone: (x) => void lines.push(syncLine(x)),
      onFailure: () => {},
    });
    expect(await s.tick()).toBe(summary);
    clock.set("2026-11-20T23:59:59Z");
    expect(await s.tick()).toBeNull();
    clock.set("2026-11-21T00:00:00Z");
    expect(await s.tick()).toBe(summary);
    clock.set("2026-11-20T06:00:00Z");
    expect(await s.tick()).toBe(summary);
    expect(runs).toBe(3);
    expect(lines[0]).toBe(
      "sync from https://api.github.com: org:octo 12 members, 2 teams, 10 seats, 3 days, 31 records; 3 days to process; waited 2× for rate limits",
    );
  });

  it("logs a failed run and tries again at the next period", async () => {
    const clock = new ManualClock(new Date("2026-11-20T00:00:00Z"));
    const failures: string[] = [];
    const s = new SyncScheduler(clock, {
      everyMs: 3_600_000,
      run: async () => {
        throw new Error("cannot reach https://api.github.com");
      },
      onDone: () => {},
      onFailure: (e) => void failures.push((e as Error).message),
    });
    expect(await s.tick()).toBeNull();
    expect(await s.tick()).toBeNull();
    clock.set("2026-11-20T01:00:00Z");
    await s.tick();
    expect(failures).toEqual(["cannot reach https://api.github.com", "cannot reach https://api.github.com"]);
  });
});

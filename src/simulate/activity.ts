import { addDays } from "../util/time.js";
import { Rng } from "./random.js";
import { CUSTOM_MODEL, type SimUser, type World } from "./world.js";

/** A telemetry event as the wire format carries it (spec/telemetry-events.md). */
export type WireEvent = Record<string, string | number | boolean>;

function isWeekend(day: string): boolean {
  const d = new Date(`${day}T00:00:00Z`).getUTCDay();
  return d === 0 || d === 6;
}

function member(u: SimUser, day: string): boolean {
  return (u.since === null || u.since <= day) && (u.until === null || u.until >= day);
}

/**
 * One user's events of one day. Deterministic per (seed, day, user), so the same seed gives the same events
 * whatever the order or the number of users generated. Each acceptance follows a suggestion and accepts at most
 * its lines, so suggestions ≥ acceptances and lines suggested ≥ lines accepted on every key.
 */
export function userDay(w: World, u: SimUser, day: string): WireEvent[] {
  if (day < u.adoptedOn || !member(u, day)) return [];
  const rng = new Rng(`${w.seed}/${day}/${u.login}`);
  if (!rng.chance(isWeekend(day) ? u.activity * 0.12 : u.activity)) return [];
  const events: WireEvent[] = [];
  let n = 0;
  const stamp = () => {
    const secs = rng.int(8 * 3600, 18 * 3600 - 1);
    const hh = String(Math.floor(secs / 3600)).padStart(2, "0");
    const mm = String(Math.floor((secs % 3600) / 60)).padStart(2, "0");
    const ss = String(secs % 60).padStart(2, "0");
    return `${day}T${hh}:${mm}:${ss}Z`;
  };
  const emit = (type: string, fields: Record<string, string | number | boolean>) =>
    events.push({
      id: `${w.seed}-${u.login}-${day}-${n++}`,
      type,
      user: u.login,
      timestamp: stamp(),
      ...fields,
    });

  const suggestions = rng.int(4, 22);
  for (let i = 0; i < suggestions; i++) {
    const language = rng.pick(u.languages);
    const lines = rng.int(1, 8);
    emit("completion.suggested", { editor: u.editor, language, lines });
    if (rng.chance(u.acceptRate)) {
      const partial = rng.chance(0.2);
      emit("completion.accepted", {
        editor: u.editor,
        language,
        lines: partial ? rng.int(0, lines - 1) : lines,
        partial,
      });
    }
  }
  if (rng.chance(0.45)) {
    for (let i = rng.int(1, 5); i > 0; i--) emit("chat.prompted", { surface: "ide", editor: u.editor });
    if (rng.chance(0.5)) emit("chat.inserted", { editor: u.editor });
    if (rng.chance(0.4)) emit("chat.copied", { editor: u.editor });
  }
  if (rng.chance(0.15)) for (let i = rng.int(1, 3); i > 0; i--) emit("chat.prompted", { surface: "dotcom" });
  if (rng.chance(0.1)) {
    const repository = rng.pick(w.repositories);
    emit("pull_request.summarized", rng.chance(0.3) ? { repository, model: CUSTOM_MODEL } : { repository });
  }
  if (rng.chance(0.08)) emit("activity", { engaged: rng.chance(0.5), feature: "cli" });
  return events;
}

/** Every event of the world's window, day by day: for tests, benchmarks and the demo. */
export function* simulate(w: World): Generator<{ day: string; events: WireEvent[] }> {
  for (let day = w.first; day <= w.last; day = addDays(day, 1)) {
    const events: WireEvent[] = [];
    for (const u of w.users) for (const e of userDay(w, u, day)) events.push(e);
    yield { day, events };
  }
}

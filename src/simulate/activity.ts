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
  // v1.1 activity from a stream of its own, so the v1 events above stay exactly what they were.
  v11Day(w, u, day, new Rng(`${w.seed}/${day}/${u.login}/v1.1`), (type, fields) => emit(type, fields));
  return events;
}

const CHAT_MODELS = ["gpt-4.1", "claude-sonnet-4", "gemini-2.5-pro"] as const;
const PLUGIN: Record<string, [string, string]> = {
  vscode: ["copilot-chat", "0.31.2"],
  JetBrains: ["copilot-intellij", "1.5.58"],
  VisualStudio: ["copilot-vs", "17.14.3"],
  neovim: ["copilot.vim", "1.52.0"],
  Xcode: ["copilot-xcode", "0.44.0"],
};
const EDITOR_VERSION: Record<string, string> = {
  vscode: "1.106.1",
  JetBrains: "2025.2.4",
  VisualStudio: "17.14.20",
  neovim: "0.11.4",
  Xcode: "26.1",
};
const AGENTS = [
  ["claude-code", "Claude Code"],
  ["codex", "OpenAI Codex"],
  ["gemini-cli", "Gemini CLI"],
] as const;

/**
 * A user's v1.1 activity of a day they were active (telemetry-events.md v1.1): chat in every mode with code
 * blocks, agent edits, Copilot CLI sessions and third-party agent sessions, with IDE, plugin and CLI versions.
 * Habits (who uses the CLI, which third-party agent) are fixed per user, so they show on many days.
 */
function v11Day(
  w: World,
  u: SimUser,
  _day: string,
  rng: Rng,
  emit: (type: string, fields: Record<string, string | number | boolean>) => void,
): void {
  const habits = new Rng(`${w.seed}/habits/${u.login}`);
  const agentFan = habits.chance(0.35);
  const cliUser = habits.chance(0.3);
  const thirdParty = habits.chance(0.15) ? habits.pick(AGENTS) : null;
  const [plugin, pluginVersion] = PLUGIN[u.editor] ?? ["copilot", "1.0.0"];
  const versions = {
    editor_version: EDITOR_VERSION[u.editor] ?? "1.0.0",
    plugin,
    plugin_version: pluginVersion,
  };
  const ide = { editor: u.editor, ...versions };
  if (rng.chance(0.5)) {
    const mode = rng.pick(
      agentFan
        ? (["agent", "agent", "edit", "ask", "plan"] as const)
        : (["ask", "inline", "edit", "custom"] as const),
    );
    const model = rng.pick(CHAT_MODELS);
    const language = rng.pick(u.languages);
    for (let i = rng.int(1, 4); i > 0; i--)
      emit("chat.prompted", { surface: "ide", ...ide, mode, model, language });
    for (let i = rng.int(0, 3); i > 0; i--) {
      const lines = rng.int(2, 40);
      emit("chat.code_generated", { ...ide, mode, model, language, lines });
      if (rng.chance(0.5)) emit("chat.inserted", { ...ide, mode, model, language, lines: rng.int(1, lines) });
      else if (rng.chance(0.3))
        emit("chat.copied", { ...ide, mode, model, language, lines: rng.int(1, lines) });
    }
    if (mode === "agent" || mode === "edit")
      for (let i = rng.int(1, 6); i > 0; i--)
        emit("agent.edit", {
          ...ide,
          model,
          language,
          lines_added: rng.int(1, 60),
          lines_deleted: rng.int(0, 25),
        });
  }
  if (cliUser && rng.chance(0.6)) {
    const requests = rng.int(1, 12);
    emit("cli.session", {
      prompts: rng.int(1, requests),
      requests,
      prompt_tokens: requests * rng.int(800, 2400),
      output_tokens: requests * rng.int(300, 1500),
      model: rng.pick(CHAT_MODELS),
      cli_version: "0.0.353",
    });
  }
  if (thirdParty && rng.chance(0.7))
    emit("agent.session", { agent_id: thirdParty[0], agent_name: thirdParty[1], prompts: rng.int(1, 20) });
}

/** Every event of the world's window, day by day: for tests, benchmarks and the demo. */
export function* simulate(w: World): Generator<{ day: string; events: WireEvent[] }> {
  for (let day = w.first; day <= w.last; day = addDays(day, 1)) {
    const events: WireEvent[] = [];
    for (const u of w.users) for (const e of userDay(w, u, day)) events.push(e);
    yield { day, events };
  }
}

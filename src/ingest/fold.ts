import type { FactCounts, FactKey } from "../rollup/facts.js";
import type { TelemetryEvent } from "./event.js";

/** The fact one event adds to: its key and counter increments (meanings in rollup/facts.ts). */
export function foldEvent(e: TelemetryEvent): FactKey & FactCounts {
  switch (e.type) {
    case "completion.suggested":
      return {
        feature: "completion",
        editor: e.editor,
        model: e.model,
        dim: e.language,
        n1: 1,
        n2: 0,
        n3: e.lines,
        n4: 0,
      };
    case "completion.accepted":
      return {
        feature: "completion",
        editor: e.editor,
        model: e.model,
        dim: e.language,
        n1: 0,
        n2: 1,
        n3: 0,
        n4: e.lines,
      };
    case "chat.prompted":
      return e.surface === "ide"
        ? { feature: "ide_chat", editor: e.editor, model: e.model, dim: "", n1: 1, n2: 0, n3: 0, n4: 0 }
        : { feature: "dotcom_chat", editor: "", model: e.model, dim: "", n1: 1, n2: 0, n3: 0, n4: 0 };
    case "chat.inserted":
      return { feature: "ide_chat", editor: e.editor, model: e.model, dim: "", n1: 0, n2: 1, n3: 0, n4: 0 };
    case "chat.copied":
      return { feature: "ide_chat", editor: e.editor, model: e.model, dim: "", n1: 0, n2: 0, n3: 1, n4: 0 };
    case "pull_request.summarized":
      return { feature: "pr", editor: "", model: e.model, dim: e.repository, n1: 1, n2: 0, n3: 0, n4: 0 };
    case "activity":
      return {
        feature: "activity",
        editor: "",
        model: "",
        dim: "",
        n1: 1,
        n2: e.engaged ? 1 : 0,
        n3: 0,
        n4: 0,
      };
  }
}

/** Counter-wise sum. */
export function addCounts(a: FactCounts, b: FactCounts): FactCounts {
  return { n1: a.n1 + b.n1, n2: a.n2 + b.n2, n3: a.n3 + b.n3, n4: a.n4 + b.n4 };
}

/** A stable string for a fact key ("\u0000" cannot occur in names, so keys never collide). */
export function factKeyString(k: FactKey): string {
  return `${k.feature}\u0000${k.editor}\u0000${k.model}\u0000${k.dim}`;
}

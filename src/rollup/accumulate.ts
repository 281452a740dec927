import type { FactRow } from "./facts.js";

/**
 * A node of the per-scope tree: engaged users (`e`), counters, and children by name. For one user's own tree `e`
 * is 0 or 1, so adding a user's tree into a scope's tree counts each engaged user once per key without sets.
 */
export interface Node {
  e: number;
  n1: number;
  n2: number;
  n3: number;
  n4: number;
  kids: Map<string, Node>;
}

export const newNode = (): Node => ({ e: 0, n1: 0, n2: 0, n3: 0, n4: 0, kids: new Map() });

export function child(parent: Map<string, Node>, name: string): Node {
  let n = parent.get(name);
  if (!n) {
    n = newNode();
    parent.set(name, n);
  }
  return n;
}

/** Everything one scope (or one user) adds up to on a day. */
export interface Agg {
  active: number;
  engaged: number;
  completion: Node; // kids: editors → models → languages
  completionLanguages: Map<string, Node>;
  ideChat: Node; // kids: editors → models
  dotcomChat: Node; // kids: models
  pullRequests: Node; // kids: repositories → models
}

export const newAgg = (): Agg => ({
  active: 0,
  engaged: 0,
  completion: newNode(),
  completionLanguages: new Map(),
  ideChat: newNode(),
  dotcomChat: newNode(),
  pullRequests: newNode(),
});

/** IDE chat features the legacy documents count: unknown (v1), ask and inline mode (metrics-semantics v1.1). */
const LEGACY_IDE_CHAT: ReadonlySet<string> = new Set(["ide_chat", "ide_chat.ask", "ide_chat.inline"]);

/** Folds one fact of a user into that user's own Agg (engagement as 0/1 flags). Every fact makes its user active. */
export function addUserFact(u: Agg, f: FactRow): void {
  u.active = 1;
  switch (f.feature) {
    case "completion": {
      const engaged = f.n2 > 0 ? 1 : 0;
      const lang = child(u.completionLanguages, f.dim);
      const editor = child(u.completion.kids, f.editor);
      const model = child(editor.kids, f.model);
      const leaf = child(model.kids, f.dim);
      leaf.n1 += f.n1;
      leaf.n2 += f.n2;
      leaf.n3 += f.n3;
      leaf.n4 += f.n4;
      if (engaged) u.completion.e = lang.e = editor.e = model.e = leaf.e = u.engaged = 1;
      break;
    }
    case "dotcom_chat": {
      const model = child(u.dotcomChat.kids, f.model);
      model.n1 += f.n1;
      if (f.n1 > 0) u.dotcomChat.e = model.e = u.engaged = 1;
      break;
    }
    case "pr": {
      const repo = child(u.pullRequests.kids, f.dim);
      const model = child(repo.kids, f.model);
      model.n1 += f.n1;
      if (f.n1 > 0) u.pullRequests.e = repo.e = model.e = u.engaged = 1;
      break;
    }
    case "activity":
      if (f.n2 > 0) u.engaged = 1;
      break;
    case "agent_edit":
      if (f.n1 > 0) u.engaged = 1;
      break;
    case "cli":
    case "agent_session":
      // n2: prompts. A session without a prompt makes its user active, not engaged.
      if (f.n2 > 0) u.engaged = 1;
      break;
    default:
      if (LEGACY_IDE_CHAT.has(f.feature)) {
        const editor = child(u.ideChat.kids, f.editor);
        const model = child(editor.kids, f.model);
        model.n1 += f.n1;
        model.n2 += f.n2;
        model.n3 += f.n3;
        if (f.n1 > 0) u.ideChat.e = editor.e = model.e = u.engaged = 1;
      } else if (f.feature.startsWith("ide_chat.") && f.n1 > 0) {
        // A prompt in agent, edit, plan or custom mode is still a chat.prompted: engaged, but not legacy IDE chat.
        u.engaged = 1;
      }
  }
}

function mergeNode(into: Node, from: Node): void {
  into.e += from.e;
  into.n1 += from.n1;
  into.n2 += from.n2;
  into.n3 += from.n3;
  into.n4 += from.n4;
  for (const [name, k] of from.kids) mergeNode(child(into.kids, name), k);
}

/** Adds one user's Agg into a scope's Agg. */
export function mergeAgg(into: Agg, from: Agg): void {
  into.active += from.active;
  into.engaged += from.engaged;
  mergeNode(into.completion, from.completion);
  for (const [name, k] of from.completionLanguages) mergeNode(child(into.completionLanguages, name), k);
  mergeNode(into.ideChat, from.ideChat);
  mergeNode(into.dotcomChat, from.dotcomChat);
  mergeNode(into.pullRequests, from.pullRequests);
}

import type { Queryable } from "../db/db.js";
import type { TelemetryEvent } from "./event.js";

/**
 * The latest strings of a user's day that the usage-metrics records show with their instant (`sampled_at`):
 * the IDE version per editor, the plugin and its version per editor, the CLI version, and each third-party
 * agent's name. `value` of a plugin row is `plugin` U+0001 `plugin_version` (control characters cannot occur in either, and PostgreSQL text cannot hold NUL).
 */
export interface VersionRow {
  day: string;
  userId: number;
  kind: "ide" | "plugin" | "cli" | "agent";
  key: string;
  value: string;
  at: string;
}

/** The version rows one event carries (none for most v1 events). */
export function versionRows(e: TelemetryEvent, userId: number): VersionRow[] {
  const out: VersionRow[] = [];
  const row = (kind: VersionRow["kind"], key: string, value: string) =>
    out.push({ day: e.day, userId, kind, key, value, at: e.at });
  switch (e.type) {
    case "cli.session":
      if (e.cliVersion !== undefined) row("cli", "", e.cliVersion);
      return out;
    case "agent.session":
      row("agent", e.agentId, e.agentName);
      return out;
    case "chat.prompted":
      if (e.surface !== "ide") return out;
      break;
    case "pull_request.summarized":
    case "activity":
      return out;
  }
  if (e.editorVersion !== undefined) row("ide", e.editor, e.editorVersion);
  if (e.plugin !== undefined && e.pluginVersion !== undefined)
    row("plugin", e.editor, `${e.plugin}\u0001${e.pluginVersion}`);
  return out;
}

const later = (a: VersionRow, b: VersionRow) => a.at > b.at || (a.at === b.at && a.value > b.value);

/**
 * Keeps, per (day, user, kind, key), the value of the latest event (ties: the greater value, so the result does
 * not depend on arrival order). Rows are written in key order, like facts, so concurrent batches cannot deadlock.
 */
export async function storeVersions(
  tx: Queryable,
  accepted: readonly { event: TelemetryEvent; userId: number }[],
): Promise<void> {
  const latest = new Map<string, VersionRow>();
  for (const { event, userId } of accepted) {
    for (const r of versionRows(event, userId)) {
      const k = `${r.day}|${r.userId}|${r.kind}|${r.key}`;
      const prev = latest.get(k);
      if (!prev || later(r, prev)) latest.set(k, r);
    }
  }
  if (latest.size === 0) return;
  const rows = [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  await tx.query(
    `INSERT INTO fact_versions (day, user_id, kind, key, value, at)
     SELECT * FROM unnest($1::date[], $2::int[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
     ON CONFLICT (day, user_id, kind, key) DO UPDATE SET value = excluded.value, at = excluded.at
     WHERE (excluded.at, excluded.value) > (fact_versions.at, fact_versions.value)`,
    [
      rows.map((r) => r.day),
      rows.map((r) => r.userId),
      rows.map((r) => r.kind),
      rows.map((r) => r.key),
      rows.map((r) => r.value),
      rows.map((r) => r.at),
    ],
  );
}

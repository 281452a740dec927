import { useMemo, useState } from "preact/hooks";
import { DEF, type Term as TermKey } from "./definitions.js";
import { count } from "./format.js";
import { sortUserRows, type UserColumn, type UserRow } from "./report-aggregate.js";
import { Term } from "./Term.js";

const COLUMNS: { key: UserColumn; label: string; term: TermKey }[] = [
  { key: "login", label: "User", term: "reportUsers" },
  { key: "activeDays", label: "Active days", term: "activeDays" },
  { key: "completionsAccepted", label: "Completions accepted", term: "userAccepted" },
  { key: "prompts", label: "Prompts", term: "prompts" },
  { key: "agentEdits", label: "Agent edits", term: "agentEdits" },
  { key: "linesAdded", label: "Lines added", term: "linesAdded" },
  { key: "linesDeleted", label: "Lines deleted", term: "linesDeleted" },
  { key: "cliSessions", label: "CLI sessions", term: "cliSessions" },
];

/** Rows drawn at most; sorting picks which. */
const MAX_ROWS = 1000;

/**
 * The per-user table of the reports: every heading is a sort button (numbers start high, logins from A) whose
 * title is the column's definition, shown on hover and, by the shared tooltip, on keyboard focus.
 */
export function UserTable(props: { rows: UserRow[]; empty: string }) {
  const [sort, setSort] = useState<{ by: UserColumn; descending: boolean }>({
    by: "login",
    descending: false,
  });
  const sorted = useMemo(() => sortUserRows(props.rows, sort.by, sort.descending), [props.rows, sort]);
  // A browser lays out a few hundred rows at once comfortably; past that, the top of the chosen order.
  const rows = sorted.length > MAX_ROWS ? sorted.slice(0, MAX_ROWS) : sorted;
  const click = (by: UserColumn) =>
    setSort((s) => (s.by === by ? { by, descending: !s.descending } : { by, descending: by !== "login" }));
  return (
    <section class="card table-card" aria-label="Users" id="report-users">
      <h3>
        <Term term="reportUsers">Users</Term> <span class="muted">({count(props.rows.length)})</span>
      </h3>
      {rows.length === 0 ? (
        <p class="muted" data-empty="users">
          {props.empty}
        </p>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        <section class="table-wrap" tabIndex={0} aria-label="Users (scrollable)">
          <table data-table="users">
            <thead>
              <tr>
                {COLUMNS.map((c) => {
                  const active = sort.by === c.key;
                  return (
                    <th
                      scope="col"
                      key={c.key}
                      class={c.key === "login" ? undefined : "num"}
                      aria-sort={active ? (sort.descending ? "descending" : "ascending") : undefined}
                    >
                      <button
                        type="button"
                        class="term sort"
                        title={DEF[c.term]}
                        data-term={c.term}
                        data-sort={c.key}
                        onClick={() => click(c.key)}
                      >
                        {c.label}
                        <span class="sort-mark" aria-hidden="true">
                          {active ? (sort.descending ? " ▼" : " ▲") : ""}
                        </span>
                      </button>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.login} data-user={r.login}>
                  <th scope="row">{r.login}</th>
                  {COLUMNS.slice(1).map((c) => (
                    <td key={c.key} class="num" data-col={c.key}>
                      {count(r[c.key as Exclude<UserColumn, "login">])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {sorted.length > rows.length && (
            <p class="muted" data-note="rows-cut">
              The first {count(rows.length)} of {count(sorted.length)} users in this order; sort by another
              column to see others.
            </p>
          )}
        </section>
      )}
    </section>
  );
}

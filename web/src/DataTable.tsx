import type { ComponentChildren } from "preact";
import type { Term as TermKey } from "./definitions.js";
import { Term } from "./Term.js";

export interface Column<R> {
  label: string;
  term?: TermKey;
  value: (r: R) => ComponentChildren;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
}

interface Props<R> {
  caption: string;
  term?: TermKey;
  rows: R[];
  columns: Column<R>[];
  rowKey: (r: R) => string;
  /** The first column names the row (a row header for screen readers). */
  rowClass?: (r: R) => string | undefined;
  empty: string;
  id?: string;
}

/** A table with a labelled caption and a definition on every heading; scrolls sideways on a phone. */
export function DataTable<R>(props: Props<R>) {
  const [first, ...rest] = props.columns;
  return (
    <section class="card table-card" aria-label={props.caption} id={props.id}>
      <h3>{props.term ? <Term term={props.term}>{props.caption}</Term> : props.caption}</h3>
      {props.rows.length === 0 ? (
        <p class="muted">{props.empty}</p>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        <section class="table-wrap" tabIndex={0} aria-label={`${props.caption} (scrollable)`}>
          <table>
            <thead>
              <tr>
                {props.columns.map((c) => (
                  <th scope="col" key={c.label} class={c.numeric ? "num" : undefined}>
                    {c.term ? <Term term={c.term}>{c.label}</Term> : c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr key={props.rowKey(r)} class={props.rowClass?.(r)}>
                  {first && <th scope="row">{first.value(r)}</th>}
                  {rest.map((c) => (
                    <td key={c.label} class={c.numeric ? "num" : undefined}>
                      {c.value(r)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}

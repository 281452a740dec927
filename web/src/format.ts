/** Numbers as the dashboard prints them; the same functions feed the tables and the test's expectations. */

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function count(n: number | null | undefined): string {
  return n == null ? "—" : integer.format(n);
}

/** A percentage with one decimal: `27.4%`; "—" when there is nothing to divide by. */
export function percent(p: number | null | undefined): string {
  return p == null || !Number.isFinite(p) ? "—" : `${p.toFixed(1)}%`;
}

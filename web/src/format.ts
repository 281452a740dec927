/** Numbers as the dashboard prints them; the same functions feed the tables and the test's expectations. */

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function count(n: number | null | undefined): string {
  return n == null ? "—" : integer.format(n);
}

/** A percentage with one decimal: `27.4%`; "—" when there is nothing to divide by. */
export function percent(p: number | null | undefined): string {
  return p == null || !Number.isFinite(p) ? "—" : `${p.toFixed(1)}%`;
}

const dollars = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
});

/** US dollars: `$0.75`; "—" where the tool reported no cost. */
export function usd(n: number | null | undefined): string {
  return n == null ? "—" : dollars.format(n);
}

/** A number with up to one decimal: `4,400` or `1,234.5`. */
export function decimal(n: number | null | undefined): string {
  return n == null ? "—" : new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }).format(n);
}

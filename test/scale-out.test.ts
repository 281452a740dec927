/**
 * docs/scale-out.md and the schema stay in step: every table of the migrated schema is in the page's table, as a
 * reference table or distributed on `tenant_id`, and "key column today" says truthfully whether the table
 * already has that column (so the page is updated when a migration adds it, or when a table is added).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { migrate } from "../src/db/migrate.js";
import { PgliteDb } from "../src/db/pglite.js";

const PAGE = readFileSync(join(import.meta.dirname, "..", "docs", "scale-out.md"), "utf8");

interface Row {
  table: string;
  kind: string;
  column: string;
  today: string;
}

function documented(): Row[] {
  return PAGE.split("\n")
    .filter((l) => /^\| `\w+` \|/.test(l))
    .map((l) => {
      const cells = l.split("|").map((c) => c.trim());
      return {
        table: cells[1]!.replaceAll("`", ""),
        kind: cells[2]!,
        column: cells[3]!.replaceAll("`", ""),
        today: cells[4]!,
      };
    });
}

describe("docs/scale-out.md", () => {
  it("lists every table of the schema with its Citus class, and says truthfully which have the key", async () => {
    const db = await PgliteDb.open();
    try {
      await migrate(db);
      const tables = (
        await db.query<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        )
      ).map((r) => r.table_name);
      const columns = await db.query<{ table_name: string; column_name: string }>(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'",
      );
      const has = (t: string, c: string) => columns.some((r) => r.table_name === t && r.column_name === c);
      const rows = documented();
      expect(rows.map((r) => r.table).sort()).toEqual([...tables].sort());
      for (const r of rows) {
        expect(["reference", "distributed"], r.table).toContain(r.kind);
        if (r.kind === "reference") {
          expect(r.column, r.table).toBe("—");
          continue;
        }
        expect(r.column, r.table).toBe("tenant_id");
        expect(r.today, `${r.table}: "key column today" must be yes or no`).toMatch(/^(yes|no)$/);
        expect(has(r.table, "tenant_id"), `${r.table} has tenant_id: the page says "${r.today}"`).toBe(
          r.today === "yes",
        );
      }
    } finally {
      await db.close();
    }
  });
});

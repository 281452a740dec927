import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../../test/helpers/db.js";
import type { Db } from "./db.js";
import { migrate } from "./migrate.js";

for (const backend of backends) {
  describe(`migrate on ${backend.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      ({ db, drop } = await backend.create());
    });
    afterAll(() => drop?.());

    it("runs a migration holding a $$ function body whole, once", async () => {
      const dir = new URL("./migrate-fixtures/", import.meta.url);
      expect(await migrate(db, dir)).toEqual(["001_function.sql"]);
      expect(await db.query("SELECT fixture_bump(2) AS total")).toEqual([{ total: 3 }]);
      expect(await migrate(db, dir)).toEqual([]);
    });
  });
}

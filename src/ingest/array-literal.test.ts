import { describe, expect, it } from "vitest";
import { backends } from "../../test/helpers/db.js";
import { withArrayLiterals } from "./array-literal.js";

describe.each(backends)("withArrayLiterals on $name", (backend) => {
  it("gives the database the same elements as the array", async () => {
    const { db, drop } = await backend.create();
    try {
      const texts = ["a,b", 'c"d', null, "NULL", "x\\y", " ", "", "{}", "é\u0001 ü", undefined];
      const [row] = await db.query<{ t: (string | null)[]; n: number[]; u: string[] }>(
        "SELECT $1::text[] AS t, $2::float8[] AS n, $3::uuid[]::text[] AS u",
        withArrayLiterals([texts, [1, -2.5, 1e21, 0.1], ["0b9e51ea-0b3a-4b0f-8a38-a2f6d0e2c8a1"]]),
      );
      expect(row!.t).toEqual(texts.map((t) => t ?? null));
      expect(row!.n).toEqual([1, -2.5, 1e21, 0.1]);
      expect(row!.u).toEqual(["0b9e51ea-0b3a-4b0f-8a38-a2f6d0e2c8a1"]);
    } finally {
      await drop();
    }
  });
});

describe("withArrayLiterals", () => {
  it("leaves other parameters and arrays of other kinds as they are", () => {
    const d = new Date(0);
    expect(withArrayLiterals([1, "x", null, [d]])).toEqual([1, "x", null, [d]]);
  });
});

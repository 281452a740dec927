import { describe, expect, it } from "vitest";
import { Lru } from "./lru.js";

describe("Lru", () => {
  it("drops the least recently used entry beyond the entry bound", () => {
    const lru = new Lru<number>(2, Number.POSITIVE_INFINITY);
    lru.set("a", 1);
    lru.set("b", 2);
    expect(lru.get("a")).toBe(1); // a is now the most recent
    lru.set("c", 3);
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe(1);
    expect(lru.get("c")).toBe(3);
  });

  it("keeps the bytes held under the byte bound, replacing sizes on overwrite", () => {
    const lru = new Lru<string>(100, 10, (s) => s.length);
    lru.set("a", "12345");
    lru.set("b", "12345");
    expect(lru.stats).toEqual({ entries: 2, bytes: 10 });
    lru.set("c", "123");
    expect(lru.get("a")).toBeUndefined();
    expect(lru.stats).toEqual({ entries: 2, bytes: 8 });
    lru.set("c", "1");
    expect(lru.stats).toEqual({ entries: 2, bytes: 6 });
  });

  it("keeps a single entry larger than the byte bound, so one huge answer is still served from memory", () => {
    const lru = new Lru<string>(100, 3, (s) => s.length);
    lru.set("a", "12345");
    expect(lru.get("a")).toBe("12345");
    lru.set("b", "1234");
    expect(lru.get("a")).toBeUndefined();
    expect(lru.stats).toEqual({ entries: 1, bytes: 4 });
  });
});

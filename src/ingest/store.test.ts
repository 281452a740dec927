import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { idHash } from "./store.js";

describe("idHash", () => {
  it("keeps the md5 of the UTF-8 id for well-formed ids (ids stored before stay deduplicated)", () => {
    const md5 = createHash("md5").update("e-1 ünï", "utf8").digest("hex");
    expect(idHash("e-1 ünï").replaceAll("-", "")).toBe(md5);
  });

  it("tells apart ids that differ only in lone surrogates, which UTF-8 would turn into the same U+FFFD", () => {
    const ids = ["x\ud800", "x\ud801", "x\udc00", "x\ufffd"];
    expect(new Set(ids.map(idHash)).size).toBe(ids.length);
    expect(idHash("x\ud800")).toBe(idHash("x\ud800"));
  });
});

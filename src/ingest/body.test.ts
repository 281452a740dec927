import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { BodyError, decodeBody } from "./body.js";

const LIMITS = { maxBytes: 1024 * 1024, maxEvents: 100 };
const ND = { contentType: "application/x-ndjson", contentEncoding: undefined };
const JS = { contentType: "application/json; charset=utf-8", contentEncoding: undefined };

function refused(fn: () => unknown): BodyError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BodyError) return err;
    throw err;
  }
  throw new Error("expected a BodyError");
}

describe("decodeBody", () => {
  it("reads NDJSON with line numbers as indexes, skipping blank lines and CRLF", () => {
    const items = decodeBody(Buffer.from('{"a":1}\r\n\r\nnot json\n{"b":2}\n'), ND, LIMITS);
    expect(items).toEqual([
      { index: 0, value: { a: 1 } },
      { index: 2, error: expect.stringContaining("line is not valid JSON") },
      { index: 3, value: { b: 2 } },
    ]);
  });

  it("reads a JSON array, gzipped or not", () => {
    const body = JSON.stringify([{ a: 1 }, { b: 2 }]);
    expect(decodeBody(Buffer.from(body), JS, LIMITS)).toEqual([
      { index: 0, value: { a: 1 } },
      { index: 1, value: { b: 2 } },
    ]);
    expect(decodeBody(gzipSync(body), { ...JS, contentEncoding: "gzip" }, LIMITS)).toHaveLength(2);
    expect(decodeBody(gzipSync('{"a":1}\n'), { ...ND, contentEncoding: "gzip" }, LIMITS)).toEqual([
      { index: 0, value: { a: 1 } },
    ]);
    expect(decodeBody(Buffer.from("[]"), JS, LIMITS)).toEqual([]);
  });

  it.each([
    [
      "a wrong content type",
      Buffer.from("{}"),
      { contentType: "text/plain", contentEncoding: undefined },
      400,
      "application/x-ndjson",
    ],
    [
      "no content type",
      Buffer.from("{}"),
      { contentType: undefined, contentEncoding: undefined },
      400,
      "Content-Type",
    ],
    ["an empty body", Buffer.from("  \n"), ND, 400, "empty body"],
    ["NDJSON where no line parses", Buffer.from("nope\nstill nope"), ND, 400, "no line"],
    ["a JSON object instead of an array", Buffer.from('{"id":"x"}'), JS, 400, "expected a JSON array"],
    ["broken JSON", Buffer.from("[{"), JS, 400, "not valid JSON"],
    ["invalid UTF-8", Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), ND, 400, "UTF-8"],
    [
      "truncated gzip",
      gzipSync('{"a":1}\n').subarray(0, 10),
      { ...ND, contentEncoding: "gzip" },
      400,
      "gzip",
    ],
    ["an unknown encoding", Buffer.from("{}"), { ...ND, contentEncoding: "br" }, 400, "Content-Encoding"],
    ["too many JSON events", Buffer.from(JSON.stringify(Array(101).fill({}))), JS, 413, "at most 100"],
    ["too many NDJSON events", Buffer.from("{}\n".repeat(101)), ND, 413, "more than 100"],
    ["a body over the limit", Buffer.alloc(LIMITS.maxBytes + 1, 0x20), ND, 413, "larger than"],
  ])("refuses %s", (_what, body, headers, status, message) => {
    const err = refused(() => decodeBody(body, headers, LIMITS));
    expect(err.status).toBe(status);
    expect(err.message).toContain(message);
  });

  it("stops a gzip bomb at the limit without inflating it", () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    // A wrong checksum in the trailer: inflating the whole bomb would reach it and answer "not valid gzip"; a
    // decoder that stops at the limit never reads it.
    bomb.writeUInt32LE(bomb.readUInt32LE(bomb.length - 8) ^ 1, bomb.length - 8);
    expect(
      refused(() =>
        decodeBody(bomb, { ...ND, contentEncoding: "gzip" }, { ...LIMITS, maxBytes: 60 * 1024 * 1024 }),
      ).message,
    ).toContain("not valid gzip");
    const err = refused(() => decodeBody(bomb, { ...ND, contentEncoding: "gzip" }, LIMITS));
    expect(err.status).toBe(413);
    expect(err.message).toContain("once decompressed");
  });
});

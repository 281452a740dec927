import { readFileSync } from "node:fs";
import { STATUS_CODES } from "node:http";
import { describe, expect, it } from "vitest";
import { DirectoryFileError } from "../directory/file.js";
import { TokenRequestError } from "../directory/token-store.js";
import { UnknownScopeError } from "../import/store.js";
import { BodyError } from "../ingest/body.js";
import { OtlpDecodeError } from "../otlp/decode.js";
import { ProcessRequestError } from "../rollup/run.js";
import { ApiError, ERROR_CATALOGUE, errorBody, fromCatalogued, isCatalogued, rawAnswer } from "./errors.js";

const entries = Object.entries(ERROR_CATALOGUE);
const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
/** The rows of docs/errors.md's table: code → [status, kind]. */
const documented = new Map(
  [...doc.matchAll(/^\| `(PL_ERR_[A-Z_]+)` \| (\d{3}) \| `([a-z_]+)` \|/gm)].map((m) => [
    m[1]!,
    [Number(m[2]), m[3]!] as const,
  ]),
);

describe("the error catalogue", () => {
  it("gives every entry a unique, stable-looking code, an HTTP error status, a message and when it is answered", () => {
    const codes = entries.map(([, e]) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [kind, e] of entries) {
      expect(e.code, kind).toMatch(/^PL_ERR_[A-Z][A-Z_]*[A-Z]$/);
      // The code says what the kind says: PL_ERR_ + the kind in capitals.
      expect(e.code, kind).toBe(`PL_ERR_${kind.toUpperCase()}`);
      expect(e.status >= 400 && e.status <= 599, kind).toBe(true);
      expect(STATUS_CODES[e.status], kind).toBeDefined();
      expect(e.message.trim().length, kind).toBeGreaterThan(0);
      expect(e.when.trim().length, kind).toBeGreaterThan(10);
    }
  });

  it("is documented in docs/errors.md, one row per entry with its status and kind, and nothing else", () => {
    for (const [kind, e] of entries) expect(documented.get(e.code), e.code).toEqual([e.status, kind]);
    expect([...documented.keys()].sort()).toEqual(entries.map(([, e]) => e.code).sort());
  });

  it("makes GitHub's body from an entry, keeps the cause out of it, and adds only what the thrower adds", () => {
    const cause = new SyntaxError("Unexpected token } in JSON at position 7 (secret detail)");
    const e = new ApiError("bad_json", "Problems parsing JSON: line 1", { cause });
    expect(e.status).toBe(400);
    expect(e.code).toBe("PL_ERR_BAD_JSON");
    expect(e.cause).toBe(cause);
    expect(errorBody(e)).toEqual({
      message: "Problems parsing JSON: line 1",
      documentation_url: "https://docs.github.com/rest",
      status: "400",
    });
    expect(JSON.stringify(errorBody(e))).not.toContain("secret");
    expect(errorBody(new ApiError("not_found"), "https://docs.example/x")).toEqual({
      message: "Not Found",
      documentation_url: "https://docs.example/x",
      status: "404",
    });
  });

  it("writes a whole HTTP answer for the parser's refusals, with the code header and a matching length", () => {
    const answer = rawAnswer(
      new ApiError("headers_too_large", "Request headers are larger than 16384 bytes"),
    );
    const [head, body] = answer.split("\r\n\r\n") as [string, string];
    const lines = head.split("\r\n");
    expect(lines[0]).toBe("HTTP/1.1 431 Request Header Fields Too Large");
    expect(lines).toContain("x-pilotlog-error-code: PL_ERR_HEADERS_TOO_LARGE");
    expect(lines).toContain("Connection: close");
    expect(lines).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toEqual({
      message: "Request headers are larger than 16384 bytes",
      documentation_url: "https://docs.github.com/rest",
      status: "431",
    });
  });

  it("maps the errors of other modules onto their entries, with their message and the original as cause", () => {
    const cases: [Error, string, number][] = [
      [new BodyError(400, "empty body"), "PL_ERR_BAD_REQUEST", 400],
      [new BodyError(413, "too big"), "PL_ERR_PAYLOAD_TOO_LARGE", 413],
      [new BodyError(415, "not ndjson"), "PL_ERR_UNSUPPORTED_MEDIA_TYPE", 415],
      [new OtlpDecodeError(400, "bad proto"), "PL_ERR_BAD_REQUEST", 400],
      [new OtlpDecodeError(413, "too many points"), "PL_ERR_PAYLOAD_TOO_LARGE", 413],
      [new OtlpDecodeError(415, "not otlp"), "PL_ERR_UNSUPPORTED_MEDIA_TYPE", 415],
      [new ProcessRequestError("2026-11-20 is not over yet"), "PL_ERR_PROCESS_REQUEST_INVALID", 422],
      [new TokenRequestError("--kind must be one of …"), "PL_ERR_TOKEN_REQUEST_INVALID", 422],
      [new UnknownScopeError("organization_id 7 is not known here"), "PL_ERR_VALIDATION_FAILED", 422],
    ];
    for (const [err, code, status] of cases) {
      expect(isCatalogued(err), err.message).toBe(true);
      const api = fromCatalogued(err as Parameters<typeof fromCatalogued>[0]);
      expect([api.code, api.status, api.message, api.cause], err.message).toEqual([
        code,
        status,
        err.message,
        err,
      ]);
    }
    const file = new DirectoryFileError([{ file: "d.yaml", path: "users[0].login", reason: "is required" }]);
    const api = fromCatalogued(file);
    expect(api.code).toBe("PL_ERR_DIRECTORY_FILE_INVALID");
    expect(errorBody(api)).toEqual({
      message: "d.yaml: users[0].login: is required",
      documentation_url: "https://docs.github.com/rest",
      status: "422",
      issues: [{ file: "d.yaml", path: "users[0].login", reason: "is required" }],
    });
    expect(isCatalogued(new Error("plain"))).toBe(false);
    expect(isCatalogued(Object.assign(new Error("x"), { catalogueKind: "no_such_kind" }))).toBe(false);
  });
});

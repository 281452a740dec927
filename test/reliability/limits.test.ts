/**
 * Limits on what clients send (issue 5, RELIABILITY.md): what Node's HTTP parser refuses before any route runs
 * still gets GitHub's error body, and the server answers the next request.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIMITS } from "../../src/http/limits.js";
import { backends } from "../helpers/db.js";
import { type Harness, startHarness } from "../helpers/harness.js";
import { assertErrorBody } from "../helpers/schema.js";

/** Sends raw bytes and returns the whole answer the server wrote before closing. */
function raw(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), hostname, () => s.end(bytes));
    let out = "";
    s.on("data", (b: Buffer) => (out += b.toString()));
    s.on("close", () => resolve(out));
    s.on("error", reject);
  });
}

function parse(answer: string): { status: number; body: unknown } {
  const [head, body] = answer.split("\r\n\r\n");
  return { status: Number(head!.split(" ")[1]), body: JSON.parse(body!) };
}

describe("limits on requests", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backends[0]!, "2026-11-20T12:00:00Z");
  });
  afterAll(() => h?.close());

  it(`answers 431 with GitHub's body for headers over ${LIMITS.headerBytes} bytes`, async () => {
    const answer = parse(
      await raw(
        h.url,
        `GET /orgs/x/copilot/metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(LIMITS.headerBytes)}\r\n\r\n`,
      ),
    );
    expect(answer.status).toBe(431);
    assertErrorBody(answer.body);
    expect((await h.get("/orgs/x/copilot/metrics")).status).toBe(401);
  });

  it("answers 400 with GitHub's body for a request the HTTP parser cannot read", async () => {
    const answer = parse(await raw(h.url, "GARBAGE\r\n\r\n"));
    expect(answer.status).toBe(400);
    assertErrorBody(answer.body);
    const badLength = parse(
      await raw(h.url, "POST /telemetry/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
    );
    expect(badLength.status).toBe(400);
    assertErrorBody(badLength.body);
    expect((await h.get("/orgs/x/copilot/metrics")).status).toBe(401);
  });
});

import type { FastifyInstance } from "fastify";
import type { Db } from "../../src/db/db.js";
import { applyDirectoryText } from "../../src/directory/apply.js";
import type { ApplyReport } from "../../src/directory/store.js";
import { AnswerCache } from "../../src/http/answer-cache.js";
import { buildApp } from "../../src/http/app.js";
import type { AppContext } from "../../src/http/context.js";
import { RateLimiter } from "../../src/http/rate-limit.js";
import { runProcessing } from "../../src/rollup/run.js";
import { ManualClock } from "../../src/util/clock.js";
import { utcDay } from "../../src/util/time.js";
import type { Backend } from "./db.js";
import { assertLinkAnswer } from "./reports-schema.js";
import { assertErrorBody, assertMetricsBody } from "./schema.js";

/**
 * Conformance: every answer a suite reads through the harness is checked against GitHub's official schema for
 * its status (an array of day documents for a 200 of a metrics route, basic-error otherwise, no body for 304).
 */
async function conforms(res: Response, path: string): Promise<void> {
  const text = await res.text();
  if (res.status === 304 || res.status === 204) {
    if (text !== "") throw new Error(`a ${res.status} of ${path} has a body`);
    return;
  }
  const body: unknown = JSON.parse(text);
  const route = path.split("?")[0]!;
  if (res.status === 200 && /\/copilot\/metrics$/.test(route)) assertMetricsBody(body);
  else if (res.status === 200 && route.includes("/copilot/metrics/reports/")) assertLinkAnswer(route, body);
  else if (res.status >= 400) assertErrorBody(body);
}

/** A real server on port 0 over a real database, with a clock the test moves. */
export interface Harness {
  db: Db;
  clock: ManualClock;
  app: FastifyInstance;
  url: string;
  windowDays: number;
  apply(yaml: string): Promise<ApplyReport>;
  send(token: string, events: object[]): Promise<{ status: number; body: Record<string, unknown> }>;
  process(day?: string): Promise<string[]>;
  get(path: string, token?: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export async function startHarness(
  backend: Backend,
  now: string,
  windowDays = 28,
  rateLimit = 0,
  /** Report settings (`--report-file-records` and the like); absent: the defaults. */
  reports?: AppContext["reports"],
): Promise<Harness> {
  const { db, drop } = await backend.create();
  const clock = new ManualClock(new Date(now));
  const app = buildApp({
    db,
    clock,
    windowDays,
    answers: new AnswerCache(),
    ...(rateLimit > 0 ? { rateLimiter: new RateLimiter(rateLimit, clock) } : {}),
    ...(reports ? { reports } : {}),
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    db,
    clock,
    app,
    url,
    windowDays,
    apply: (yaml) =>
      applyDirectoryText(db, yaml, "test.yaml", { today: utcDay(clock.now()), now: clock.now(), windowDays }),
    async send(token, events) {
      const res = await fetch(`${url}/telemetry/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson" },
        body: events.map((e) => JSON.stringify(e)).join("\n"),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async process(day) {
      const r = await runProcessing(db, clock.now(), { windowDays, ...(day ? { day } : {}) });
      return r.map((x) => x.day);
    },
    async get(path, token, headers = {}) {
      const res = await fetch(`${url}${path}`, {
        headers: { ...(token ? { authorization: `token ${token}` } : {}), ...headers },
      });
      await conforms(res.clone(), path);
      return res;
    },
    async close() {
      await app.close();
      await drop();
    },
  };
}

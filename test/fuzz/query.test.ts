/**
 * Fuzzing the query strings of the four metrics routes: `since`, `until`, `page`, `per_page`, unknown and
 * repeated parameters, huge values, unicode and broken percent-encoding. Every answer is a 200 with exactly the
 * stored days the rules of src/api/query.ts select (worked out here independently), or a 422 `Validation Failed`
 * naming each bad parameter; never a 5xx, always in time.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../helpers/db.js";
import {
  anyString,
  expectGitHubError,
  expectSane,
  percentEncode,
  rawExchange,
  rawRequest,
  realDate,
  request,
  rfc3339,
  runs,
  timestampArb,
} from "../helpers/fuzz.js";
import { type Harness, startHarness } from "../helpers/harness.js";
import { assertMetricsBody } from "../helpers/schema.js";

const NOW = "2026-11-20T12:00:00Z";
const FIRST = "2026-10-23";
const LAST = "2026-11-19";
const WINDOW = 28;

const WORLD = `
enterprises:
  - slug: ent
    copilot_metrics_policy: enabled
    owners: [boss]
    teams: [{ slug: guild, members: [q1, q2, q3, q4, q5] }]
organizations:
  - login: qorg
    enterprise: ent
    owners: [oo]
    members: [q1, q2, q3, q4, q5]
    seats: [q1, q2, q3, q4, q5]
    teams: [{ slug: squad, members: [q1, q2, q3, q4, q5] }]
tokens:
  - { token: tok_boss, kind: classic, user: boss, scopes: [read:enterprise] }
  - { token: tok_org_owner, kind: classic, user: oo, scopes: [read:org] }
  - { token: tok_relay, kind: ingest }
`;

/** Days with activity, so with a document on every route; the others of the window have none. */
const DOC_DAYS = [
  "2026-10-23",
  "2026-10-24",
  "2026-10-27",
  "2026-10-30",
  "2026-11-01",
  "2026-11-02",
  "2026-11-05",
  "2026-11-08",
  "2026-11-09",
  "2026-11-10",
  "2026-11-12",
  "2026-11-15",
  "2026-11-16",
  "2026-11-18",
  "2026-11-19",
];

const ROUTES: [string, string][] = [
  ["/enterprises/ent/copilot/metrics", "tok_boss"],
  ["/enterprises/ent/team/guild/copilot/metrics", "tok_boss"],
  ["/orgs/qorg/copilot/metrics", "tok_org_owner"],
  ["/orgs/qorg/team/squad/copilot/metrics", "tok_org_owner"],
  ["/api/v3/orgs/QORG/copilot/metrics", "tok_org_owner"],
  ["/api/v3/enterprises/ent/team/guild/copilot/metrics", "tok_boss"],
];

const PARAMS = ["since", "until", "page", "per_page"] as const;

/** The UTC day a `since`/`until` value names, or null (a plain date, or an RFC 3339 timestamp). */
function queryDay(v: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (m) return realDate(Number(m[1]), Number(m[2]), Number(m[3])) ? v : null;
  const t = rfc3339(v);
  return t === null ? null : new Date(t).toISOString().slice(0, 10);
}

type Expected = { status: 422; fields: string[] } | { status: 200; dates: string[]; pages: number };

/** What the rules of metrics-semantics.md (as README and query.ts put them) give for a query string. */
function expected(search: string): Expected {
  const q = new URLSearchParams(search);
  const bad = new Set<string>();
  const one = (name: string): string | undefined => {
    const all = q.getAll(name);
    if (all.length > 1) bad.add(name);
    return all.length === 1 ? all[0] : undefined;
  };
  const day = (name: string) => {
    const v = one(name);
    if (v === undefined) return null;
    const d = queryDay(v);
    if (d === null) bad.add(name);
    return d;
  };
  const positive = (name: string, fallback: number) => {
    const v = one(name);
    if (v === undefined || v === "") return fallback;
    if (!/^[0-9]+$/.test(v) || Number(v) < 1) {
      bad.add(name);
      return fallback;
    }
    return Number(v);
  };
  const since = day("since");
  const until = day("until");
  const page = positive("page", 1);
  const perPage = Math.min(positive("per_page", WINDOW), WINDOW);
  if (since && until && until < since) bad.add("until");
  if (bad.size > 0) return { status: 422, fields: [...bad].sort() };
  const first = since && since > FIRST ? since : FIRST;
  const last = until && until < LAST ? until : LAST;
  const days = DOC_DAYS.filter((d) => d >= first && d <= last);
  return {
    status: 200,
    dates: days.slice((page - 1) * perPage, page * perPage),
    pages: Math.max(1, Math.ceil(days.length / perPage)),
  };
}

const dayArb = fc
  .integer({ min: Date.parse("2026-09-01T00:00:00Z"), max: Date.parse("2026-12-31T00:00:00Z") })
  .map((t) => new Date(t).toISOString().slice(0, 10));
const percentGarbage = fc.constantFrom(
  "%",
  "%Z",
  "%ZZ",
  "%2",
  "%%",
  "%00",
  "%E0%A4",
  "%C0%AF",
  "%FF",
  "%ED%A0%80",
  "%u0031",
  "%31%",
  "%32%30%32%36-11-10",
  "2026-11-10%",
  "%2B1",
  "+1",
  "1+",
);
const numberish = fc.oneof(
  fc.constantFrom(
    "1",
    "2",
    "3",
    "0",
    "00",
    "-1",
    "1.5",
    "1e3",
    " 1",
    "0x10",
    "٣",
    "１",
    "Infinity",
    "NaN",
    "true",
  ),
  fc.integer({ min: 0, max: 40 }).map(String),
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
  fc.integer({ min: 300, max: 3000 }).map((n) => "9".repeat(n)),
  fc.integer({ min: 1, max: 20 }).map((n) => `${"0".repeat(n)}1`),
);
const dateish = fc.oneof(
  dayArb,
  timestampArb(Date.parse("2026-09-01T00:00:00Z"), Date.parse("2026-12-31T00:00:00Z")),
  fc.constantFrom(
    "2026-02-29",
    "2028-02-29",
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "0000-01-01",
    "9999-12-31",
    "2026-11-10T25:00:00Z",
    "2026-11-10T10:00:00",
    "2026-11-10 10:00:00Z",
    "2026-11-10T10:00:00+24:00",
    "20261110",
    "2026-W45",
    "yesterday",
    "",
  ),
);
const valueArb = fc.oneof(
  { weight: 4, arbitrary: dateish },
  { weight: 4, arbitrary: numberish },
  { weight: 2, arbitrary: anyString },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 4000 }).map((n) => "x".repeat(n)) },
);
const keyArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...PARAMS) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "Since",
      "PAGE",
      "since[]",
      "per-page",
      "perPage",
      "",
      "__proto__",
      "constructor",
      "toString",
    ),
  },
  { weight: 1, arbitrary: anyString },
);
/** One `key=value` of a query string: encoded properly, or with raw percent garbage left in. */
const pairArb = fc.oneof(
  fc
    .record({ key: keyArb, value: fc.option(valueArb, { nil: undefined, freq: 10 }) })
    .map(({ key, value }) =>
      value === undefined
        ? percentEncode(key)
        : `${percentEncode(key)}=${percentEncode(value).replace(/%20/g, () => "+")}`,
    ),
  fc
    .record({
      key: fc.constantFrom(...PARAMS, "sinc%65", "p%61ge", "per%5Fpage", "%70age"),
      value: fc.oneof(percentGarbage, dateish.map(percentEncode), numberish),
    })
    .map(({ key, value }) => `${key}=${value}`),
);
const queryArb = fc.oneof(
  fc.constantFrom("", "?", "?&", "?=", "?&&="),
  fc
    .tuple(fc.array(pairArb, { minLength: 1, maxLength: 6 }), fc.constantFrom("&", "&&"))
    .map(([pairs, sep]) => `?${pairs.join(sep)}`)
    // Node refuses a request head over 16 KiB before the application sees it (the known bug of headers.test.ts).
    .filter((q) => q.length < 12_000),
);

for (const backend of backends) {
  describe(`fuzzing metrics query strings on ${backend.name}`, () => {
    let h: Harness;

    beforeAll(async () => {
      h = await startHarness(backend, NOW);
      await h.apply(WORLD);
      const events = DOC_DAYS.flatMap((day) =>
        ["q1", "q2", "q3", "q4", "q5"].map((user) => ({
          id: `${day}-${user}`,
          type: "completion.suggested",
          user,
          timestamp: `${day}T10:00:00Z`,
          editor: "vscode",
          language: "go",
          lines: 2,
        })),
      );
      expect((await h.send("tok_relay", events)).status).toBe(202);
      await h.process();
    });
    afterAll(() => h?.close());

    const check = async (route: string, token: string, search: string) => {
      const url = `${h.url}${route}${search}`;
      // What the server sees, after the client's own encoding of the URL.
      const sent = new URL(url).search;
      const want = expected(sent);
      const a = await request(url, { headers: { authorization: `token ${token}` } });
      const what = `GET ${route}${sent.slice(0, 300)}`;
      expectSane(a, what);
      expect(a.status, `${what}: ${a.text.slice(0, 300)}`).toBe(want.status);
      if (want.status === 422) {
        const body = expectGitHubError(a, what) as { message: string; errors: { field: string }[] };
        expect(body.message, what).toBe("Validation Failed");
        expect([...new Set(body.errors.map((e) => e.field))].sort(), what).toEqual(want.fields);
        return;
      }
      const days = JSON.parse(a.text) as { date: string }[];
      assertMetricsBody(days);
      expect(
        days.map((d) => d.date),
        what,
      ).toEqual(want.dates);
      expect(a.headers.link !== undefined, `${what}: Link ${a.headers.link}`).toBe(want.pages > 1);
    };

    it("answers any query string with exactly the selected days, or a 422 naming each bad parameter", async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ROUTES), queryArb, ([route, token], search) =>
          check(route, token, search),
        ),
        runs(300),
      );
    });

    it("pages through any range with any per_page, the Link header leading from page to page", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ROUTES),
          dayArb,
          dayArb,
          fc.integer({ min: 1, max: 40 }),
          async ([route, token], a, b, perPage) => {
            const [since, until] = a <= b ? [a, b] : [b, a];
            const seen: string[] = [];
            let next: string | undefined =
              `${h.url}${route}?since=${since}&until=${until}&per_page=${perPage}`;
            for (let i = 0; next && i < 40; i++) {
              const res = await request(next, { headers: { authorization: `token ${token}` } });
              expect(res.status, next).toBe(200);
              seen.push(...(JSON.parse(res.text) as { date: string }[]).map((d) => d.date));
              next = /<([^>]+)>; rel="next"/.exec(res.headers.link ?? "")?.[1];
            }
            const first = since > FIRST ? since : FIRST;
            const last = until < LAST ? until : LAST;
            expect(seen).toEqual(DOC_DAYS.filter((d) => d >= first && d <= last));
          },
        ),
        runs(60),
      );
    });

    const rawGet = async (route: string, token: string, query: number[]) => {
      const target = Buffer.concat([Buffer.from(`${route}?`), Buffer.from(query)]);
      const answers = await rawExchange(
        h.url,
        rawRequest("GET", target, [
          ["Host", "localhost"],
          ["Authorization", `token ${token}`],
          ["Connection", "close"],
        ]),
      );
      expect(answers.length).toBe(1);
      return { a: answers[0]!, what: `GET ${target.toString("latin1").slice(0, 200)}` };
    };

    it("answers raw request targets of any printable ASCII, unencoded, with GitHub's answers", async () => {
      const printable = fc.integer({ min: 0x21, max: 0x7e }).filter((b) => b !== 0x23);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ROUTES),
          fc.array(printable, { maxLength: 300 }),
          async ([route, token], query) => {
            const { a, what } = await rawGet(route, token, query);
            expectSane(a, what);
            if (a.status === 200) assertMetricsBody(JSON.parse(a.text));
            else expect([400, 422], what).toContain(a.status);
          },
        ),
        runs(100),
      );
    });

    it("refuses request targets with bytes HTTP forbids (non-ASCII, control) with GitHub's 400, and keeps answering", async () => {
      const forbidden = fc.oneof(
        fc.integer({ min: 0x80, max: 0xff }),
        fc.integer({ min: 0x00, max: 0x1f }),
        fc.constant(0x7f),
      );
      const printable = fc.integer({ min: 0x21, max: 0x7e }).filter((b) => b !== 0x23);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ROUTES),
          fc.tuple(
            fc.array(printable, { maxLength: 50 }),
            forbidden,
            fc.array(fc.oneof(printable, forbidden), { maxLength: 50 }),
          ),
          async ([route, token], [before, bad, after]) => {
            const { a, what } = await rawGet(route, token, [...before, bad, ...after]);
            expect(a.status, `${what}: ${a.text}`).toBe(400);
            expectGitHubError(a, what);
          },
        ),
        runs(60),
      );
      expect(
        (await request(`${h.url}${ROUTES[2]![0]}`, { headers: { authorization: "token tok_org_owner" } }))
          .status,
      ).toBe(200);
    });
  });
}

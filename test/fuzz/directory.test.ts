/**
 * Fuzzing directory files (docs/directory-file.md) through `applyDirectoryText` and `POST /_pilotlog/admin/apply`:
 * arbitrary YAML/JSON structures, valid files broken in one place (wrong types, unknown fields, duplicates,
 * dangling references), huge files, alias bombs, deep nesting and invalid UTF-8. A file is either applied (and
 * applying it again changes nothing) or refused with a DirectoryFileError whose issues name the place at fault;
 * never another exception, never a hang; and a refused file changes nothing in the store.
 */
import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import { applyDirectoryText } from "../../src/directory/apply.js";
import { DirectoryFileError } from "../../src/directory/file.js";
import type { ApplyReport } from "../../src/directory/store.js";
import { AnswerCache } from "../../src/http/answer-cache.js";
import { buildApp } from "../../src/http/app.js";
import { backends } from "../helpers/db.js";
import {
  ANSWER_TIMEOUT_MS,
  brokenFileArb,
  expectGitHubError,
  expectSane,
  request,
  runs,
} from "../helpers/fuzz.js";
import { type Harness, startHarness } from "../helpers/harness.js";

const NOW = "2026-11-20T12:00:00Z";
const KNOWN_DAY = "2026-11-18";
const ADMIN = "admin-secret-for-the-fuzz-suite";
const WORLD = `
enterprises:
  - { slug: kent, copilot_metrics_policy: enabled, owners: [kboss] }
organizations:
  - login: known
    enterprise: kent
    owners: [kowner]
    members: [k1, k2, k3, k4, k5]
    seats: [k1, k2, k3, k4, k5]
    teams: [{ slug: kteam, members: [k1, k2, k3, k4, k5] }]
custom_models:
  - { name: known-model, training_date: 2024-02-01, owner: known }
tokens:
  - { token: tok_known_owner, kind: classic, user: kowner, scopes: [read:org] }
  - { token: tok_known_relay, kind: ingest }
`;
const KNOWN_URLS = [
  `/orgs/known/copilot/metrics?since=${KNOWN_DAY}&until=${KNOWN_DAY}`,
  `/orgs/known/team/kteam/copilot/metrics?since=${KNOWN_DAY}&until=${KNOWN_DAY}`,
];

/** Everything `apply` may write, in a stable order: equal dumps, equal directories. */
const DUMP = [
  "SELECT slug, name, policy FROM enterprises ORDER BY slug",
  "SELECT login, login_lower, name, enterprise_id, policy FROM organizations ORDER BY login_lower",
  "SELECT org_id, enterprise_id, slug, name FROM teams ORDER BY org_id, enterprise_id, slug",
  "SELECT login, login_lower, telemetry FROM users ORDER BY login_lower",
  "SELECT user_id, from_day::text, enabled FROM user_telemetry ORDER BY 1, 2",
  `SELECT scope_kind, scope_id, user_id, role, since::text, until::text, team_id FROM grants
   ORDER BY 1, 2, 3, 4, 5 NULLS FIRST, 6 NULLS FIRST, 7 NULLS FIRST`,
  "SELECT name, training_date::text, owner FROM custom_models ORDER BY name",
  `SELECT hash, kind, user_id, scopes, resource_org_id, permissions::text, expires_at::text, revoked_at::text, source
   FROM tokens ORDER BY hash`,
  "SELECT day::text, reason FROM dirty_days ORDER BY day",
];

type Outcome = { applied: ApplyReport } | { refused: DirectoryFileError };

/** Applies a file with a deadline; anything but a report or a DirectoryFileError fails the test. */
async function applyText(h: Harness, text: string, fileName: string): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`applying ${fileName} took more than ${ANSWER_TIMEOUT_MS} ms`)),
      ANSWER_TIMEOUT_MS,
    );
  });
  try {
    const applied = await Promise.race([
      applyDirectoryText(h.db, text, fileName, { today: "2026-11-20", windowDays: 28 }),
      deadline,
    ]);
    return { applied };
  } catch (err) {
    if (err instanceof DirectoryFileError) return { refused: err };
    throw new Error(
      `applying ${fileName} threw ${(err as Error)?.constructor?.name}: ${String((err as Error)?.message).slice(0, 300)}\n--- file ---\n${text.slice(0, 600)}`,
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** A refusal names the file and, for each issue, a place and a reason a person can act on, briefly. */
function expectClearIssues(err: DirectoryFileError, fileName: string, what: string): void {
  expect(err.issues.length, what).toBeGreaterThan(0);
  for (const i of err.issues) {
    expect(i.file, what).toBe(fileName);
    expect(typeof i.path === "string" && i.path.length > 0, what).toBe(true);
    expect(i.path.length, `${what}: path ${i.path.slice(0, 100)}…`).toBeLessThanOrEqual(200);
    expect(typeof i.reason === "string" && i.reason.length > 0, what).toBe(true);
    expect(i.reason.length, `${what}: reason ${i.reason.slice(0, 100)}…`).toBeLessThanOrEqual(400);
  }
  expect(err.message, what).toContain(fileName);
}

const serialize = (file: unknown, format: "yaml" | "json") =>
  format === "json" ? JSON.stringify(file, null, 1) : toYaml(file);

for (const backend of backends) {
  describe(`fuzzing directory files on ${backend.name}`, () => {
    let h: Harness;
    let admin: FastifyInstance;
    let adminUrl: string;
    let baseline: string[];

    const dump = async () => {
      const parts = [];
      for (const sql of DUMP) parts.push(JSON.stringify(await h.db.query(sql)));
      return parts.join("\n");
    };
    const knownAnswers = async () => {
      const out: string[] = [];
      for (const url of KNOWN_URLS) {
        const res = await h.get(url, "tok_known_owner");
        expect(res.status, url).toBe(200);
        out.push(await res.text());
      }
      return out;
    };
    /** Refused: nothing changed. Applied: applying it again changes nothing. */
    const checkOutcome = async (
      outcome: Outcome,
      text: string,
      fileName: string,
      before: string,
      what: string,
    ) => {
      if ("refused" in outcome) {
        expectClearIssues(outcome.refused, fileName, what);
        expect(await dump(), `${what}: a refused file changed the store`).toBe(before);
        return;
      }
      const after = await dump();
      const again = await applyText(h, text, fileName);
      expect(
        "applied" in again && again.applied.changed,
        `${what}: applied twice, changed the second time`,
      ).toBe(false);
      expect(await dump(), `${what}: the second apply changed the store`).toBe(after);
    };

    beforeAll(async () => {
      h = await startHarness(backend, NOW);
      await h.apply(WORLD);
      const events = ["k1", "k2", "k3", "k4", "k5"].flatMap((user) => [
        {
          id: `${user}-1`,
          type: "completion.suggested",
          user,
          timestamp: `${KNOWN_DAY}T10:00:00Z`,
          editor: "vscode",
          language: "go",
          lines: 3,
          model: "known-model",
        },
        {
          id: `${user}-2`,
          type: "chat.prompted",
          user,
          timestamp: `${KNOWN_DAY}T11:00:00Z`,
          surface: "ide",
          editor: "vscode",
        },
      ]);
      expect((await h.send("tok_known_relay", events)).status).toBe(202);
      await h.process(KNOWN_DAY);
      baseline = await knownAnswers();
      admin = buildApp({
        db: h.db,
        clock: h.clock,
        windowDays: 28,
        answers: new AnswerCache(),
        adminToken: ADMIN,
      });
      adminUrl = await admin.listen({ port: 0, host: "127.0.0.1" });
    });
    afterAll(async () => {
      await admin?.close();
      await h?.close();
    });

    it("applies or clearly refuses arbitrary YAML and JSON structures, and a refused one changes nothing", async () => {
      const rootKey = fc.constantFrom("enterprises", "organizations", "users", "custom_models", "tokens");
      const value = fc.jsonValue({ maxDepth: 4 });
      const structure = fc.oneof(
        value,
        fc.dictionary(fc.oneof(rootKey, fc.string({ maxLength: 10 })), value, { maxKeys: 4 }),
        fc.dictionary(
          rootKey,
          fc.array(fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 4 }), { maxLength: 3 }),
          { maxKeys: 3 },
        ),
      );
      await fc.assert(
        fc.asyncProperty(structure, fc.constantFrom("yaml", "json"), async (file, format) => {
          const fileName = `arbitrary.${format}`;
          const text = serialize(file, format);
          const before = await dump();
          const outcome = await applyText(h, text, fileName);
          await checkOutcome(outcome, text, fileName, before, `${format}: ${text.slice(0, 200)}`);
        }),
        runs(120),
      );
    });

    it("refuses a valid file broken in any one place, naming that place, and applies the unbroken one idempotently", async () => {
      await fc.assert(
        fc.asyncProperty(
          brokenFileArb,
          fc.constantFrom("yaml", "json"),
          fc.boolean(),
          async ({ file, mutation }, format, first) => {
            const fileName = `fuzz.${format}`;
            if (first) {
              // The file before breaking it is valid: applied, and applying it again changes nothing.
              const text = serialize(file, format);
              const before = await dump();
              const outcome = await applyText(h, text, fileName);
              if ("refused" in outcome)
                throw new Error(`a valid file was refused: ${outcome.refused.message}\n${text}`);
              await checkOutcome(outcome, text, fileName, before, "the valid file");
            }
            const copy = JSON.parse(JSON.stringify(file)) as Record<string, unknown>;
            mutation.apply(copy);
            const text = serialize(copy, format);
            const before = await dump();
            const outcome = await applyText(h, text, fileName);
            const what = `${format}, ${mutation.describe}`;
            if (!("refused" in outcome)) throw new Error(`${what}: applied\n${text.slice(0, 1500)}`);
            expectClearIssues(outcome.refused, fileName, what);
            const want = mutation.expectPath;
            expect(
              outcome.refused.issues.some(
                (i) => i.path === want || i.path.startsWith(`${want}.`) || i.path.startsWith(`${want}[`),
              ),
              `${what}: no issue at ${want}: ${outcome.refused.message.slice(0, 600)}`,
            ).toBe(true);
            expect(await dump(), `${what}: a refused file changed the store`).toBe(before);
          },
        ),
        runs(150),
      );
    });

    it("refuses alias bombs, deep nesting, huge values and invalid UTF-8 clearly and in time", async () => {
      const laughs = [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        ...["b", "c", "d", "e", "f", "g", "h", "i"].map(
          (x, i) => `${x}: &${x} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(",")}]`,
        ),
      ].join("\n");
      const D = 100_000;
      const invalidUtf8 = Buffer.concat([
        Buffer.from("organizations:\n  - login: fo1\n    name: caf"),
        Buffer.from([0xe9, 0xff]),
        Buffer.from("\n"),
      ]).toString("utf8");
      const cases: [string, string, string, RegExp][] = [
        ["billion laughs", "bomb.yaml", laughs, /alias|resource/i],
        [
          "aliases inside the directory's own lists",
          "bomb.yaml",
          `x: &x [fu1, fu1, fu1, fu1, fu1, fu1, fu1, fu1, fu1, fu1]\n${Array.from(
            { length: 12 },
            (_, i) =>
              `y${i}: &y${i} [${Array(10)
                .fill(i ? `*y${i - 1}` : "*x")
                .join(", ")}]`,
          ).join("\n")}\norganizations: [{ login: fo1, members: *y11 }]`,
          /alias|resource/i,
        ],
        ["100,000 nested [ in YAML", "deep.yaml", `${"[".repeat(D)}${"]".repeat(D)}`, /YAML/],
        ["100,000 nested { in YAML", "deep.yaml", `${"{a: ".repeat(D)}1${"}".repeat(D)}`, /YAML/],
        ["100,000 unclosed [ in YAML", "deep.yaml", "[".repeat(D), /YAML/],
        ["100,000 nested [ in JSON", "deep.json", `${"[".repeat(D)}${"]".repeat(D)}`, /mapping/],
        [
          "a login nested 100,000 levels in JSON",
          "deep.json",
          `{"organizations":[{"login":${"[".repeat(D)}${"]".repeat(D)}}]}`,
          /organizations\[0\]\.login/,
        ],
        [
          "a policy nested 100,000 levels in JSON",
          "deep.json",
          `{"organizations":[{"login":"fo1","copilot_metrics_policy":${'{"a":'.repeat(D)}1${"}".repeat(D)}}]}`,
          /copilot_metrics_policy/,
        ],
        [
          "a permission nested 100,000 levels in JSON",
          "deep.json",
          `{"organizations":[{"login":"fo1"}],"tokens":[{"token":"fz_tok_deep","kind":"app_installation","resource_owner":"fo1","permissions":{"copilot_business":${"[".repeat(D)}${"]".repeat(D)}}}]}`,
          /permissions/,
        ],
        ["an unknown field of 10 MB", "huge.json", `{"${"x".repeat(10_000_000)}": 1}`, /unknown field/],
        [
          "an unknown field of 1 MB in YAML",
          "huge.yaml",
          `organizations:\n  - login: fo1\n    ? ${"y".repeat(1_000_000)}\n    : 1\n`,
          /unknown field/,
        ],
        [
          "a name of 5 MB",
          "huge.yaml",
          `organizations:\n  - login: fo1\n    name: ${"n".repeat(5_000_000)}\n`,
          /name/,
        ],
        [
          "100,000 bad logins",
          "many.yaml",
          `organizations:\n  - login: fo1\n    members: [${Array(100_000).fill("a b").join(", ")}]\n`,
          /members\[99999\]/,
        ],
        [
          "20,000 seats given by 20,000 teams that do not exist",
          "many.yaml",
          `organizations:\n  - login: fo1\n    teams: [${Array.from({ length: 20_000 }, (_, i) => `{slug: t${i}}`).join(", ")}]\n    seats: [${Array.from({ length: 20_000 }, (_, i) => `{login: fu1, assigning_team: x${i}}`).join(", ")}]\n`,
          /assigning_team/,
        ],
        ["invalid UTF-8 read as text", "bad.yaml", invalidUtf8, /UTF-8/],
        [
          "a lone surrogate in a JSON name",
          "bad.json",
          '{"organizations":[{"login":"fo1","name":"x\\ud800"}]}',
          /name/,
        ],
        [
          "a lone surrogate in a YAML name",
          "bad.yaml",
          'organizations:\n  - login: fo1\n    name: "x\\udc00"\n',
          /name/,
        ],
        [
          "a NUL in a permission",
          "bad.json",
          '{"organizations":[{"login":"fo1"}],"tokens":[{"token":"fz_tok_nul","kind":"app_installation","resource_owner":"fo1","permissions":{"a\\u0000":"read"}}]}',
          /permissions/,
        ],
        [
          "year 0000 in since",
          "bad.yaml",
          "organizations:\n  - login: fo1\n    members: [{ login: fu1, since: 0000-01-01 }]\n",
          /since/,
        ],
        [
          "year 0000 in a training date",
          "bad.yaml",
          "custom_models:\n  - { name: fm1, training_date: 0000-12-31 }\n",
          /training_date/,
        ],
        [
          "year 0000 in expires_at",
          "bad.yaml",
          "tokens:\n  - { token: fz_tok_y0, kind: ingest, expires_at: 0001-01-01T00:30:00+01:00 }\n",
          /expires_at/,
        ],
        [
          "year 10000 in expires_at",
          "bad.yaml",
          "tokens:\n  - { token: fz_tok_y1, kind: ingest, expires_at: 9999-12-31T23:30:00-01:00 }\n",
          /expires_at/,
        ],
        [
          "the same user twice",
          "dup.yaml",
          "users:\n  - { login: fu1, telemetry: false }\n  - { login: FU1, telemetry: true }\n",
          /users\[1\]/,
        ],
        ["a duplicate key in YAML", "dup.yaml", "users: []\nusers: []\n", /unique|duplicate/i],
        [
          "a duplicate key in JSON",
          "dup.json",
          '{"users": [], "organizations": [], "users": [{"login": "fu1"}]}',
          /duplicate|twice/i,
        ],
        [
          "a __proto__ field in JSON",
          "proto.json",
          '{"organizations":[{"login":"fo1","__proto__":{"name":"x"}}]}',
          /__proto__/,
        ],
        [
          "a __proto__ field in YAML",
          "proto.yaml",
          "organizations:\n  - login: fo1\n    __proto__: { name: x }\n",
          /__proto__/,
        ],
        ["a YAML tag", "tag.yaml", "organizations: !!set { fo1 }\n", /organizations/],
        ["binary data", "tag.yaml", "organizations:\n  - login: !!binary aGVsbG8=\n", /login/],
        ["several documents", "multi.yaml", "users: []\n---\nusers: []\n", /YAML/],
      ];
      // Refused, clearly, changing nothing: the test's timeout catches a hang; how long each took is printed, not
      // asserted (times belong in bench/).
      const took: string[] = [];
      for (const [what, fileName, text, reason] of cases) {
        const before = await dump();
        const started = performance.now();
        const outcome = await applyText(h, text, fileName);
        took.push(`${what} ${Math.round(performance.now() - started)} ms`);
        if (!("refused" in outcome)) throw new Error(`${what}: applied`);
        expectClearIssues(outcome.refused, fileName, what);
        expect(outcome.refused.message, what).toMatch(reason);
        expect(await dump(), `${what}: a refused file changed the store`).toBe(before);
      }
      console.log(`[fuzz directory ${backend.name}] attack files refused: ${took.join(", ")}`);
      // A byte order mark is no reason to refuse a file, nor a huge one of comments.
      for (const [fileName, text] of [
        ["bom.json", '\ufeff{"users": [{"login": "fu1"}]}'],
        ["bom.yaml", "\ufeffusers:\n  - login: fu1\n"],
        ["comments.yaml", `${"# padding\n".repeat(500_000)}users: []\n`],
      ] as const) {
        const outcome = await applyText(h, text, fileName);
        expect("applied" in outcome ? true : outcome.refused.message, fileName).toBe(true);
      }
    });

    it("answers POST /_pilotlog/admin/apply with a report, a 422 naming the problem, or GitHub's 4xx; never a 5xx", async () => {
      const url = `${adminUrl}/_pilotlog/admin/apply`;
      const post = (body: string | Buffer, secret: string | null = ADMIN) =>
        request(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(secret !== null ? { "x-pilotlog-admin": secret } : {}),
          },
          body,
        });
      const broken = brokenFileArb.map(({ file, mutation }) => {
        const copy = JSON.parse(JSON.stringify(file)) as Record<string, unknown>;
        mutation.apply(copy);
        return copy;
      });
      const body = fc.oneof(
        broken.map((f) => JSON.stringify({ fileName: "admin.yaml", text: toYaml(f) })),
        fc
          .jsonValue({ maxDepth: 3 })
          .map((v) => JSON.stringify({ fileName: "admin.json", text: JSON.stringify(v) })),
        fc
          .record({ fileName: fc.jsonValue({ maxDepth: 1 }), text: fc.jsonValue({ maxDepth: 2 }) })
          .map((v) => JSON.stringify(v)),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        // Invalid UTF-8 inside the file's text: the route reads it with replacement characters.
        fc.constantFrom(
          Buffer.concat([
            Buffer.from('{"fileName":"u.yaml","text":"users:\\n  - login: fu1\\n# caf'),
            Buffer.from([0xe9]),
            Buffer.from('\\n"}'),
          ]),
          Buffer.concat([
            Buffer.from('{"fileName":"u.yaml","text":"organizations: [{login: fo1, name: caf'),
            Buffer.from([0xc3, 0x28]),
            Buffer.from('}]"}'),
          ]),
        ),
      );
      await fc.assert(
        fc.asyncProperty(body, async (b) => {
          const before = await dump();
          const a = await post(b);
          const what = `admin apply of ${String(b).slice(0, 200)}`;
          expect(a.status, `${what}: ${a.text.slice(0, 300)}`).toBeLessThan(500);
          if (a.status === 200) {
            expect(JSON.parse(a.text), what).toHaveProperty("changed");
            return;
          }
          if (a.status === 422) {
            const r = JSON.parse(a.text) as {
              message: string;
              issues?: { file: string; path: string; reason: string }[];
              errors?: { field: string }[];
            };
            expect(r.message.length, what).toBeGreaterThan(0);
            if (r.errors) {
              // The body is not {fileName, text}: GitHub's Validation Failed, naming the field.
              expectGitHubError(a, what);
              expect(r.errors.length, what).toBeGreaterThan(0);
              for (const e of r.errors) expect(r.message, what).toContain(`"${e.field}"`);
            } else {
              expect(r.issues?.length, what).toBeGreaterThan(0);
              for (const i of r.issues ?? []) expect(i.reason.length, what).toBeLessThanOrEqual(400);
            }
          } else {
            expect(a.status, what).toBe(400);
            expectGitHubError(a, what);
          }
          expect(await dump(), `${what}: a refused file changed the store`).toBe(before);
        }),
        runs(100),
      );
      // The secret is required; a body over the limit is a 413.
      for (const [what, a, status] of [
        ["no secret", await post(JSON.stringify({ fileName: "x.yaml", text: "users: []" }), null), 404],
        [
          "a wrong secret",
          await post(JSON.stringify({ fileName: "x.yaml", text: "users: []" }), `${ADMIN}x`),
          404,
        ],
        [
          "11 MiB",
          await post(JSON.stringify({ fileName: "x.yaml", text: `# ${"x".repeat(11 * 1024 * 1024)}` })),
          413,
        ],
      ] as const) {
        expect(a.status, what).toBe(status);
        expectSane(a, what);
        expectGitHubError(a, what);
      }
    });

    it("still serves the known scope, byte for byte, once its day is processed again", async () => {
      await h.process(KNOWN_DAY);
      expect(await knownAnswers()).toEqual(baseline);
    });
  });
}

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DirectoryFileError, type DirectoryIssue, parseDirectoryFile } from "./file.js";

const none = { enterprises: new Set<string>(), organizations: new Set<string>() };
const issues = (text: string, name = "d.yaml", known = none): DirectoryIssue[] => {
  try {
    parseDirectoryFile(text, name, known);
  } catch (err) {
    if (err instanceof DirectoryFileError) return err.issues;
    throw err;
  }
  throw new Error("expected the file to be refused");
};

// The example of docs/directory-file.md, verbatim.
const SPEC_EXAMPLE = `
enterprises:
  - slug: octo-ent
    name: Octo Enterprise
    copilot_metrics_policy: no_policy
    owners: [ent-owner]
    billing_managers: [ent-billing]
    seats: [solo-dev]
    members: [solo-dev]
    teams:
      - slug: platform
        name: Platform
        members: [mona, hubot]
organizations:
  - login: octo-org
    enterprise: octo-ent
    copilot_metrics_policy: enabled
    owners: [org-owner]
    members: [mona, hubot, lisa, { login: tom, since: 2026-11-10 }, { login: ann, until: 2026-11-05 }]
    seats: [mona, hubot, lisa, tom, { login: ann, until: 2026-11-05 }]
    teams:
      - slug: backend
        name: Backend
        members: [mona, lisa, { login: tom, since: 2026-11-10 }]
users:
  - login: hubot
    telemetry: false
    emails: [hubot@octo.example, Hubot@Users.Noreply.Example]
custom_models:
  - name: acme-pr-model
    training_date: 2024-02-01
    owner: octo-org
tokens:
  - token: pl_test_owner_classic
    user: org-owner
    kind: classic
    scopes: [read:org]
  - token: pl_test_fine
    user: org-owner
    kind: fine_grained
    resource_owner: octo-org
    permissions: { copilot_business: read }
  - token: pl_test_relay
    kind: ingest
    expires_at: 2027-01-01T00:00:00Z
`;

const all = (...logins: string[]) => logins.map((login) => ({ login, since: null, until: null }));

const EXPECTED = {
  enterprises: [
    {
      slug: "octo-ent",
      name: "Octo Enterprise",
      policy: "no_policy",
      owners: all("ent-owner"),
      billingManagers: all("ent-billing"),
      seats: all("solo-dev"),
      members: all("solo-dev"),
      teams: [{ slug: "platform", name: "Platform", members: all("mona", "hubot") }],
    },
  ],
  organizations: [
    {
      login: "octo-org",
      name: "octo-org",
      enterprise: "octo-ent",
      policy: "enabled",
      owners: all("org-owner"),
      members: [
        ...all("mona", "hubot", "lisa"),
        { login: "tom", since: "2026-11-10", until: null },
        { login: "ann", since: null, until: "2026-11-05" },
      ],
      seats: [...all("mona", "hubot", "lisa", "tom"), { login: "ann", since: null, until: "2026-11-05" }],
      teams: [
        {
          slug: "backend",
          name: "Backend",
          members: [...all("mona", "lisa"), { login: "tom", since: "2026-11-10", until: null }],
        },
      ],
    },
  ],
  users: [
    { login: "hubot", telemetry: false, emails: ["hubot@octo.example", "hubot@users.noreply.example"] },
  ],
  customModels: [{ name: "acme-pr-model", trainingDate: "2024-02-01", owner: "octo-org" }],
  tokens: [
    {
      token: "pl_test_owner_classic",
      user: "org-owner",
      kind: "classic",
      scopes: ["read:org"],
      resourceOwner: null,
      permissions: {},
      expiresAt: null,
    },
    {
      token: "pl_test_fine",
      user: "org-owner",
      kind: "fine_grained",
      scopes: [],
      resourceOwner: "octo-org",
      permissions: { copilot_business: "read" },
      expiresAt: null,
    },
    {
      token: "pl_test_relay",
      user: null,
      kind: "ingest",
      scopes: [],
      resourceOwner: null,
      permissions: {},
      expiresAt: "2027-01-01T00:00:00.000Z",
    },
  ],
};

describe("parseDirectoryFile", () => {
  it("reads the specification's example into the model", () => {
    expect(parseDirectoryFile(SPEC_EXAMPLE, "d.yaml", none)).toEqual(EXPECTED);
  });

  it("reads the same directory as JSON", () => {
    const asJson = JSON.stringify({
      organizations: [{ login: "octo-org", members: ["mona", { login: "tom", since: "2026-11-10" }] }],
      tokens: [{ token: "pl_json_token", kind: "ingest" }],
    });
    expect(parseDirectoryFile(asJson, "d.json", none)).toMatchObject({
      organizations: [
        { login: "octo-org", members: [{ login: "mona" }, { login: "tom", since: "2026-11-10" }] },
      ],
      tokens: [{ kind: "ingest" }],
    });
  });

  it("accepts the project's example file", () => {
    const text = readFileSync(new URL("../../examples/directory.yaml", import.meta.url), "utf8");
    expect(
      parseDirectoryFile(text, "examples/directory.yaml", none).organizations.map((o) => o.login),
    ).toEqual(["octo-org", "octo-labs"]);
  });

  it("treats an empty file as an empty directory", () => {
    expect(parseDirectoryFile("", "d.yaml", none)).toEqual({
      enterprises: [],
      organizations: [],
      users: [],
      customModels: [],
      tokens: [],
    });
  });

  it("accepts references to enterprises and organizations already in the store", () => {
    const known = { enterprises: new Set(["octo-ent"]), organizations: new Set(["octo-org"]) };
    const file = parseDirectoryFile(
      "organizations:\n  - login: new-org\n    enterprise: Octo-Ent\ncustom_models:\n  - name: m\n    owner: octo-org\n",
      "d.yaml",
      known,
    );
    expect(file.organizations[0]!.enterprise).toBe("octo-ent");
  });

  it.each([
    [
      "organizations:\n  - login: o\n    memebers: [a]\n",
      "organizations[0].memebers",
      'unknown field "memebers"; did you mean "members"?',
    ],
    [
      "organizations:\n  - login: o\n    members: [ok, 'bad login!']\n",
      "organizations[0].members[1]",
      "is not a valid login",
    ],
    [
      "organizations:\n  - login: o\n    members: [{ login: a, since: 2026-02-30 }]\n",
      "organizations[0].members[0].since",
      "is not a date",
    ],
    [
      "organizations:\n  - login: o\n    seats: [{ login: a, since: 2026-11-10, until: 2026-11-01 }]\n",
      "organizations[0].seats[0].until",
      "before since",
    ],
    [
      "organizations:\n  - login: o\n    enterprise: nowhere\n",
      "organizations[0].enterprise",
      'no enterprise "nowhere"',
    ],
    ["organizations:\n  - login: o\n  - login: O\n", "organizations[1].login", "appears twice"],
    [
      "organizations:\n  - login: o\n    copilot_metrics_policy: no_policy\n",
      "organizations[0].copilot_metrics_policy",
      "must be one of enabled, disabled",
    ],
    [
      "enterprises:\n  - slug: e\n    copilot_metrics_policy: off\n",
      "enterprises[0].copilot_metrics_policy",
      "must be one of enabled, disabled, no_policy",
    ],
    [
      "organizations:\n  - login: o\n    teams: [{ slug: t }, { slug: T }]\n",
      "organizations[0].teams[1].slug",
      "appears twice",
    ],
    ["users:\n  - login: u\n    telemetry: maybe\n", "users[0].telemetry", "true or false"],
    [
      "users:\n  - login: u\n    emails: [not-an-address]\n",
      "users[0].emails[0]",
      "must be an e-mail address",
    ],
    [
      "users:\n  - login: u\n    emails: [a@x.io]\n  - login: v\n    emails: [A@X.io]\n",
      "users[1].emails[0]",
      "is listed for u already",
    ],
    [
      'organizations:\n  - login: o\n    name: "a\\0b"\n',
      "organizations[0].name",
      "without control characters",
    ],
    [
      "organizations:\n  - login: o\n    seats: [{ login: a, assigning_team: ghost }]\n",
      "organizations[0].seats[0].assigning_team",
      'no team "ghost"',
    ],
    [
      "organizations:\n  - login: o\n    members: [{ login: a, assigning_team: t }]\n",
      "organizations[0].members[0].assigning_team",
      "unknown field",
    ],
    [
      "custom_models:\n  - name: m\n    owner: nobody\n",
      "custom_models[0].owner",
      'no organization or enterprise "nobody"',
    ],
    ["custom_models:\n  - name: has space\n", "custom_models[0].name", "is not a model name"],
    ["tokens:\n  - { token: short, kind: ingest }\n", "tokens[0].token", "8–255 characters"],
    ["tokens:\n  - { token: long-enough, kind: admin }\n", "tokens[0].kind", "must be one of classic, oauth"],
    ["tokens:\n  - { token: long-enough, kind: classic }\n", "tokens[0].user", "needs the login"],
    ["tokens:\n  - { token: long-enough, kind: ingest, user: mona }\n", "tokens[0].user", "acts for no user"],
    [
      "tokens:\n  - { token: long-enough, kind: fine_grained, user: a }\n",
      "tokens[0].resource_owner",
      "acts on one organization",
    ],
    [
      "tokens:\n  - { token: long-enough, kind: fine_grained, user: a, resource_owner: ghost }\n",
      "tokens[0].resource_owner",
      'no organization "ghost"',
    ],
    [
      "tokens:\n  - { token: long-enough, kind: classic, user: a, permissions: { x: read } }\n",
      "tokens[0].permissions",
      "have scopes",
    ],
    [
      "tokens:\n  - { token: long-enough, kind: app_installation, resource_owner: o, scopes: [read:org] }\norganizations: [{ login: o }]\n",
      "tokens[0].scopes",
      "only classic and oauth",
    ],
    [
      "tokens:\n  - { token: long-enough, kind: ingest, expires_at: soon }\n",
      "tokens[0].expires_at",
      "RFC 3339",
    ],
    [
      "tokens:\n  - { token: long-enough, kind: ingest }\n  - { token: long-enough, kind: ingest }\n",
      "tokens[1].token",
      "used twice",
    ],
    ["teams: []\n", "(root).teams", 'unknown field "teams"'],
    ["- just a list\n", "(root)", "must be a mapping"],
    ["organizations: [\n", "(root)", "not valid YAML at line"],
  ])("refuses %j at its path", (text, path, reason) => {
    const found = issues(text);
    expect(found).toContainEqual({ file: "d.yaml", path, reason: expect.stringContaining(reason) });
  });

  it("reports every problem of a file at once, in a message naming the file", () => {
    try {
      parseDirectoryFile(
        "organizations:\n  - login: 'x y'\n    members: ['a b']\ntokens:\n  - { token: t, kind: nope }\n",
        "dir.yaml",
        none,
      );
      expect.unreachable();
    } catch (err) {
      expect((err as DirectoryFileError).issues.map((i) => i.path)).toEqual([
        "organizations[0].login",
        "organizations[0].members[0]",
        "tokens[0].token",
        "tokens[0].kind",
      ]);
      expect((err as Error).message).toMatch(/^dir\.yaml: organizations\[0\]\.login: /);
    }
  });

  it("refuses a JSON syntax error with its path", () => {
    expect(issues("{", "d.json")).toEqual([
      { file: "d.json", path: "(root)", reason: expect.stringContaining("not valid JSON") },
    ]);
  });
});

describe("duplicate keys", () => {
  it("names the file, the line and the key of a YAML mapping that repeats one", () => {
    expect(issues("organizations:\n  - login: o\n    name: A\n    name: B\n", "dup.yaml")).toEqual([
      {
        file: "dup.yaml",
        path: "(root)",
        reason:
          'duplicate key "name" at line 4, column 5: it appears twice in one mapping; merge the two (YAML allows each key once)',
      },
    ]);
  });

  it("names the line and the key of a JSON object that repeats one", () => {
    expect(issues('{"users": [],\n "users": []}', "dup.json")[0]!.reason).toBe(
      'the key "users" appears twice in one object at line 2, column 2: merge the two (JSON would keep only the last)',
    );
  });
});

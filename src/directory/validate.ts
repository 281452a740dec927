import type { ErrorObject } from "ajv";
import { compile, pointerParts } from "../schemas/ajv.js";
import { ORG_BOUND_KINDS, PERSONAL_KINDS, SCOPED_KINDS, type TokenKind } from "../schemas/common.js";
import { closest } from "../util/suggest.js";
import { parseRfc3339 } from "../util/time.js";
import type {
  CustomModelSpec,
  DirectoryFile,
  DirectoryIssue,
  EnterpriseSpec,
  Grant,
  OrgSpec,
  TeamSpec,
  TokenSpec,
  UserSpec,
} from "./model.js";
import {
  type CustomModelInput,
  DirectoryFileSchema,
  type EnterpriseInput,
  type ErrorNote,
  type GrantInput,
  type OrganizationInput,
  type TeamInput,
  type TokenInput,
  type UserInput,
} from "./schema.js";

// Not `verbose`: ajv would copy the schema node and the value onto each of its errors (two per bad value), which
// cost a third of refusing 100,000 bad logins; the node is found by schemaPath (cached), the value by the pointer.
const validateFile = compile(DirectoryFileSchema, { verbose: false });

/** The schema nodes by the schemaPath of their keywords (`#/properties/users/else/items`), found once each. */
const nodesByPath = new Map<string, SchemaNode | undefined>();

/** The schema node holding the keyword an error's schemaPath ends with (what `verbose` gives as parentSchema). */
function parentSchemaOf(schemaPath: string): SchemaNode | undefined {
  // Keyed by the whole path: ajv's schemaPaths are literals of its generated code, hashed once.
  if (nodesByPath.has(schemaPath)) return nodesByPath.get(schemaPath);
  let node: unknown = DirectoryFileSchema;
  for (const part of pointerParts(schemaPath.slice(1, schemaPath.lastIndexOf("/"))))
    node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined;
  nodesByPath.set(schemaPath, node as SchemaNode | undefined);
  return node as SchemaNode | undefined;
}

/** What the errors of a failing value need of its parent, found once for all the values that fail in it. */
type Parent = {
  /** The parent's path text (`organizations[0].members`; "" for the root). */
  path: string;
  /** The parent's value in the file. */
  value: unknown;
  /**
   * The keys of its children that failed (indices of a list as numbers, names of a mapping), each with the
   * reasons given at it: a number key hashes for free, where a path text per error would not.
   */
  broken: Map<string | number, string | string[]>;
};

/** A value's own child (never one of Object.prototype's, whatever the key). */
const childOf = (v: unknown, key: string): unknown =>
  v !== null && typeof v === "object" && Object.hasOwn(v, key)
    ? (v as Record<string, unknown>)[key]
    : undefined;

/**
 * What the file holds at a place, for a message: short (a long text is cut, a list or a mapping is named, not
 * printed) and never recursive, so a value nested 100,000 levels deep cannot overflow the stack.
 */
function show(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "string")
    return v.length > 60 ? `${JSON.stringify(v.slice(0, 60))}… (${v.length} characters)` : JSON.stringify(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? "an invalid date" : v.toISOString();
  if (Array.isArray(v)) return v.length === 0 ? "an empty list" : "a list";
  if (v instanceof Uint8Array) return "binary data";
  if (typeof v === "object" && v !== null) return "a mapping";
  return String(v);
}

/** A key of the file as part of a path or message: cut when long. */
const keyText = (k: string) => (k.length > 40 ? `${k.slice(0, 40)}…` : k);

/** Levenshtein distance, for "did you mean" hints on misspelt fields. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
  return d[a.length]![b.length]!;
}

/** `["organizations", "0", "login"]` → `organizations[0].login`; the root is `(root)`. */
function pathText(parts: readonly string[]): string {
  if (parts.length === 0) return "(root)";
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** A path text with one more part: `organizations[0]` + `login` → `organizations[0].login`; as pathText does. */
function appendPart(head: string, part: string): string {
  if (/^\d+$/.test(part)) return `${head}[${part}]`;
  return head === "" ? part : `${head}.${part}`;
}

/** One JSON pointer segment, unescaped. */
const unescapePart = (p: string) => (p.includes("~") ? p.replace(/~1/g, "/").replace(/~0/g, "~") : p);

type SchemaNode = {
  "x-error"?: ErrorNote;
  else?: SchemaNode;
  then?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  enum?: readonly string[];
};

/** The message a node's note gives a value that does not fit. */
function reasonOf(note: ErrorNote, v: unknown, node: SchemaNode): string {
  switch (note.kind) {
    case "mapping":
      return `must be a mapping with the fields ${Object.keys(node.properties ?? {}).join(", ")}`;
    case "list":
      return "must be a list (YAML `- item` lines or [a, b])";
    case "login":
      return `${show(v)} is not a valid ${note.what} (1–39 letters, digits or "-")`;
    case "day":
      return `${show(v)} is not a date: write YYYY-MM-DD (years 0001–9999), e.g. 2026-11-10`;
    case "text":
      return "must be a text of 1–255 characters without control characters or lone surrogates (\\ud800…\\udfff escapes)";
    case "one-of":
      return `must be one of ${(node.enum ?? []).join(", ")}, got ${show(v)}`;
    case "boolean":
      return "must be true or false";
    case "email":
      return `must be an e-mail address such as mona@example.com, got ${show(v)}`;
    case "model":
      return `${show(v)} is not a model name (1–64 letters, digits or ._+#-)`;
    case "secret":
      return "must be a secret of 8–255 characters without spaces";
    case "scope":
      return `${show(v)} is not a scope such as read:org`;
    case "permissions":
      return "must be a mapping such as { copilot_business: read }";
    case "permission":
      return `${show(v)} is not a permission name such as copilot_business (lowercase letters and _)`;
    case "access":
      return `must be read or write, got ${show(v)}`;
    case "timestamp":
      return `${show(v)} is not an RFC 3339 timestamp such as 2027-01-01T00:00:00Z (years 0001–9999 in UTC)`;
  }
}

/** The note of a node, looking through the `null`-or-X and string-or-mapping wrappers. */
const noteOf = (node: SchemaNode | undefined): ErrorNote | undefined =>
  node?.["x-error"] ?? node?.else?.["x-error"] ?? node?.then?.["x-error"];

/** Walks a parsed file, collecting every problem with its path, and builds the model. */
export class Checker {
  readonly issues: DirectoryIssue[] = [];
  /** What is valid but probably a mistake (a team member outside the team's organization); `--strict` refuses it. */
  readonly warnings: DirectoryIssue[] = [];
  /**
   * Values that failed the schema, by the JSON pointer of their parent, then their key (an index as a number): the
   * model is built around them, and a list looks its broken items up without building a pointer per item.
   */
  private readonly broken = new Map<string, Map<string | number, string | string[]>>();
  private rootBroken = false;
  private readonly enterprises = new Set<string>();
  private readonly orgs = new Set<string>();
  /** The parents of failing values, by JSON pointer; the last one looked up, as errors come in order. */
  private readonly parents = new Map<string, Parent>();
  private last: { at: string; parent: Parent } | null = null;
  private readonly pendingRefs: {
    path: string;
    kind: "enterprise" | "organization" | "owner";
    name: string;
  }[] = [];

  constructor(
    private readonly file: string,
    private readonly known: { enterprises: ReadonlySet<string>; organizations: ReadonlySet<string> },
  ) {}

  private fail(path: string, reason: string): void {
    this.issues.push({ file: this.file, path, reason });
  }

  /** The path text of a JSON pointer with `extra` parts after it, for the model's own checks (rare: no cache). */
  private pathOf(pointer: string, ...extra: string[]): string {
    return pathText([...pointerParts(pointer), ...extra]);
  }

  /** The parent record of the values under JSON pointer `at` (a mass of errors in one list walks to it once). */
  private parentAt(raw: unknown, at: string): Parent {
    if (this.last?.at === at) return this.last.parent;
    let parent = this.parents.get(at);
    if (parent === undefined) {
      const parts = pointerParts(at);
      let value = raw;
      for (const part of parts) value = childOf(value, part);
      parent = { path: at === "" ? "" : pathText(parts), value, broken: new Map() };
      this.parents.set(at, parent);
      this.broken.set(at, parent.broken);
    }
    this.last = { at, parent };
    return parent;
  }

  /** Gives `reason` at the child `key` of `parent` (whose path is `path`) once, and marks the child as failed. */
  private failAt(parent: Parent, key: string | number, path: string, reason: string): void {
    const had = parent.broken.get(key);
    if (had === undefined) parent.broken.set(key, reason);
    else if (had === reason || (Array.isArray(had) && had.includes(reason))) return;
    else parent.broken.set(key, Array.isArray(had) ? [...had, reason] : [had, reason]);
    this.fail(path, reason);
  }

  /** The path text of the value at a JSON pointer, through its parent's record. */
  private pathAt(raw: unknown, pointer: string): string {
    if (pointer === "") return "";
    const cut = pointer.lastIndexOf("/");
    const parent = this.parentAt(raw, pointer.slice(0, cut));
    return appendPart(parent.path, unescapePart(pointer.slice(cut + 1)));
  }

  /** Turns ajv's errors into the file's messages, one per place, and remembers which values are unusable. */
  private schemaIssues(raw: unknown, errors: readonly ErrorObject[]): void {
    // The reasons given at each path for unknown fields and permission names, to give each once (the others are
    // kept by their parent's record).
    const seen = new Map<string, string | string[]>();
    const add = (path: string, reason: string) => {
      const had = seen.get(path);
      if (had === undefined) seen.set(path, reason);
      else if (had === reason || (Array.isArray(had) && had.includes(reason))) return;
      else seen.set(path, Array.isArray(had) ? [...had, reason] : [had, reason]);
      this.fail(path, reason);
    };
    for (const e of errors) {
      // The failed `if` of a nullable or string-or-mapping node comes with the error of its branch: skip it first.
      if (e.keyword === "if" || e.keyword === "propertyNames") continue;
      const node = parentSchemaOf(e.schemaPath);
      if (e.keyword === "additionalProperties") {
        const key = String(e.params.additionalProperty);
        const allowed = Object.keys(node?.properties ?? {});
        // Two names whose lengths differ by more than 2 are more than 2 edits apart: skip the quadratic distance.
        const near = allowed.find((a) => Math.abs(a.length - key.length) <= 2 && distance(a, key) <= 2);
        const path = this.pathAt(raw, e.instancePath);
        add(
          path === "" ? `(root).${keyText(key)}` : appendPart(path, keyText(key)),
          `unknown field ${show(key)}${near ? `; did you mean "${near}"?` : `; the fields here are ${allowed.join(", ")}`}`,
        );
        continue;
      }
      if (e.keyword === "required") {
        const field = String(e.params.missingProperty);
        const child = node?.properties?.[field];
        const note = noteOf(child);
        // The missing field fails, under the mapping: the mapping is the parent here.
        const parent = this.parentAt(raw, e.instancePath);
        this.failAt(
          parent,
          field,
          appendPart(parent.path, field),
          note ? reasonOf(note, undefined, child!) : `"${field}" is required`,
        );
        continue;
      }
      const note = node?.["x-error"];
      if (e.instancePath === "") {
        // Only the whole file's type fails at the root.
        this.rootBroken = true;
        add("(root)", note ? reasonOf(note, raw, node!) : `${show(raw)} ${e.message ?? "is invalid"}`);
        continue;
      }
      const cut = e.instancePath.lastIndexOf("/");
      const parent = this.parentAt(raw, e.instancePath.slice(0, cut));
      const key = unescapePart(e.instancePath.slice(cut + 1));
      const inList = Array.isArray(parent.value);
      const path = inList ? `${parent.path}[${key}]` : appendPart(parent.path, key);
      if (e.propertyName !== undefined) {
        // A permission's name: the permissions mapping is unusable; the issue names the key.
        if (!parent.broken.has(key)) parent.broken.set(key, []);
        add(appendPart(path, keyText(e.propertyName)), reasonOf({ kind: "permission" }, e.propertyName, {}));
        continue;
      }
      const value = inList ? (parent.value as unknown[])[Number(key)] : childOf(parent.value, key);
      this.failAt(
        parent,
        inList ? Number(key) : key,
        path,
        note ? reasonOf(note, value, node!) : `${show(value)} ${e.message ?? "is invalid"}`,
      );
    }
  }

  /** Whether the value at this JSON pointer passed the schema (its parents are checked by the caller). */
  private ok(pointer: string): boolean {
    // A valid file (the usual case) looks nothing up.
    if (this.broken.size === 0 && !this.rootBroken) return true;
    if (pointer === "") return !this.rootBroken;
    const cut = pointer.lastIndexOf("/");
    return !this.broken.get(pointer.slice(0, cut))?.has(pointer.slice(cut + 1));
  }

  /**
   * Calls `fn` with each item of a list that passed the schema, and its index; with none when the list itself did
   * not. Pointers are built only when something failed.
   */
  private each<T>(v: T[] | null | undefined, at: string, fn: (item: T, i: number) => void): void {
    if (!Array.isArray(v) || !this.ok(at)) return;
    const bad = this.broken.get(at);
    for (let i = 0; i < v.length; i++) if (bad === undefined || !bad.has(i)) fn(v[i] as T, i);
  }

  /** A field's value (`key` of the mapping at pointer `at`) when it passed the schema, else undefined. */
  private field<T>(v: T, at: string, key: string): T | undefined {
    return this.broken.size === 0 || !this.broken.get(at)?.has(key) ? v : undefined;
  }

  private grants(v: GrantInput[] | null | undefined, at: string): Grant[] {
    const out: Grant[] = [];
    this.each(v, at, (item, i) => {
      if (typeof item === "string") {
        out.push({ login: item, since: null, until: null });
        return;
      }
      const here = `${at}/${i}`;
      const login = this.field(item.login, here, "login");
      const team = this.field(item.assigning_team, here, "assigning_team");
      const since = this.field(item.since, here, "since") ?? null;
      const until = this.field(item.until, here, "until") ?? null;
      if (since && until && until < since)
        this.fail(
          this.pathOf(here, "until"),
          `${until} is before since ${since}: until must be on or after since`,
        );
      if (login) out.push({ login, since, until, ...(team ? { assigningTeam: team.toLowerCase() } : {}) });
    });
    return out;
  }

  private teams(v: TeamInput[] | null | undefined, at: string): TeamSpec[] {
    const seen = new Set<string>();
    const out: TeamSpec[] = [];
    this.each(v, at, (o, i) => {
      const here = `${at}/${i}`;
      const slug = this.field(o.slug, here, "slug");
      if (!slug) return;
      if (seen.has(slug.toLowerCase()))
        this.fail(this.pathOf(here, "slug"), `team "${slug}" appears twice here: merge the two entries`);
      seen.add(slug.toLowerCase());
      out.push({
        slug: slug.toLowerCase(),
        name: this.field(o.name, here, "name") ?? slug,
        members: this.grants(o.members, `${here}/members`),
      });
    });
    return out;
  }

  private enterprise(o: EnterpriseInput, i: number): EnterpriseSpec | null {
    const at = `/enterprises/${i}`;
    const p = `enterprises[${i}]`;
    const slug = this.field(o.slug, at, "slug");
    if (slug && this.enterprises.has(slug.toLowerCase()))
      this.fail(`${p}.slug`, `enterprise "${slug}" appears twice: merge the two entries`);
    if (slug) this.enterprises.add(slug.toLowerCase());
    const spec: EnterpriseSpec = {
      slug: (slug ?? "").toLowerCase(),
      name: this.field(o.name, at, "name") ?? slug ?? "",
      policy: this.field(o.copilot_metrics_policy, at, "copilot_metrics_policy") ?? "no_policy",
      owners: this.grants(o.owners, `${at}/owners`),
      billingManagers: this.grants(o.billing_managers, `${at}/billing_managers`),
      seats: this.grants(o.seats, `${at}/seats`),
      members: this.grants(o.members, `${at}/members`),
      teams: this.teams(o.teams, `${at}/teams`),
    };
    return slug ? spec : null;
  }

  private organization(o: OrganizationInput, i: number): OrgSpec | null {
    const at = `/organizations/${i}`;
    const p = `organizations[${i}]`;
    const login = this.field(o.login, at, "login");
    if (login && this.orgs.has(login.toLowerCase()))
      this.fail(
        `${p}.login`,
        `organization "${login}" appears twice (logins are case-insensitive): merge the two entries`,
      );
    if (login) this.orgs.add(login.toLowerCase());
    const enterprise = this.field(o.enterprise, at, "enterprise")?.toLowerCase() ?? null;
    if (enterprise) this.pendingRefs.push({ path: `${p}.enterprise`, kind: "enterprise", name: enterprise });
    const spec: OrgSpec = {
      login: login ?? "",
      name: this.field(o.name, at, "name") ?? login ?? "",
      enterprise,
      policy: this.field(o.copilot_metrics_policy, at, "copilot_metrics_policy") ?? "enabled",
      owners: this.grants(o.owners, `${at}/owners`),
      members: this.grants(o.members, `${at}/members`),
      seats: this.grants(o.seats, `${at}/seats`),
      teams: this.teams(o.teams, `${at}/teams`),
    };
    this.teamMembersOutside(spec, p);
    const teamSlugs = new Set(spec.teams.map((t) => t.slug));
    this.each(o.seats, `${at}/seats`, (g, s) => {
      const team =
        typeof g === "string"
          ? undefined
          : this.field(g.assigning_team, `${at}/seats/${s}`, "assigning_team");
      if (team && !teamSlugs.has(team.toLowerCase()))
        this.fail(
          `${p}.seats[${s}].assigning_team`,
          `no team "${team.toLowerCase()}" in this organization's teams: add it under teams`,
        );
    });
    return login ? spec : null;
  }

  /**
   * A team member who is neither an owner nor a member of the team's organization is most likely a typo (`tomm`
   * for `tom`): apply would create that user. The org's lists are replaced whole, so the file holds them all.
   */
  private teamMembersOutside(org: OrgSpec, p: string): void {
    const inOrg = new Map<string, string>();
    for (const g of [...org.owners, ...org.members]) inOrg.set(g.login.toLowerCase(), g.login);
    org.teams.forEach((team, t) => {
      team.members.forEach((g, m) => {
        if (inOrg.has(g.login.toLowerCase())) return;
        const near = closest(g.login, inOrg.values());
        this.warnings.push({
          file: this.file,
          path: `${p}.teams[${t}].members[${m}]`,
          reason: `${g.login} is in team ${team.slug} but not an owner or member of ${org.login}${near ? `; did you mean ${near}?` : "."} Add ${g.login} to the organization's members, or correct the login`,
        });
      });
    });
  }

  private user(o: UserInput, i: number, seen: Set<string>, emailsSeen: Map<string, string>): UserSpec | null {
    const at = `/users/${i}`;
    const p = `users[${i}]`;
    const login = this.field(o.login, at, "login");
    if (login && seen.has(login.toLowerCase()))
      this.fail(
        `${p}.login`,
        `user "${login}" appears twice (logins are case-insensitive): merge the two entries`,
      );
    if (login) seen.add(login.toLowerCase());
    const emails: string[] = [];
    this.each(o.emails, `${at}/emails`, (e, j) => {
      const lower = e.toLowerCase();
      const owner = emailsSeen.get(lower);
      if (owner !== undefined) {
        this.fail(
          `${p}.emails[${j}]`,
          `${e} is listed for ${owner} already (e-mails are case-insensitive): an address belongs to one user`,
        );
        return;
      }
      if (login) emailsSeen.set(lower, login);
      emails.push(lower);
    });
    return login ? { login, telemetry: o.telemetry !== false, emails } : null;
  }

  private model(o: CustomModelInput, i: number, seen: Set<string>): CustomModelSpec | null {
    const at = `/custom_models/${i}`;
    const p = `custom_models[${i}]`;
    const name = this.field(o.name, at, "name");
    if (name === undefined) return null;
    if (seen.has(name)) this.fail(`${p}.name`, `custom model "${name}" appears twice: merge the two entries`);
    seen.add(name);
    const owner = this.field(o.owner, at, "owner") ?? null;
    if (owner) this.pendingRefs.push({ path: `${p}.owner`, kind: "owner", name: owner.toLowerCase() });
    return { name, trainingDate: this.field(o.training_date, at, "training_date") ?? null, owner };
  }

  /** The fields a token of its kind has (spec/directory-file.md), checked once the schema has passed. */
  private token(o: TokenInput, i: number, seen: Set<string>): TokenSpec | null {
    const at = `/tokens/${i}`;
    const p = `tokens[${i}]`;
    const secret = this.field(o.token, at, "token");
    if (secret !== undefined && seen.has(secret))
      this.fail(`${p}.token`, "this secret is used twice: every token needs its own");
    if (secret !== undefined) seen.add(secret);
    const kind: TokenKind | undefined = this.field(o.kind, at, "kind");
    if (kind === undefined) return null;
    const personal = PERSONAL_KINDS.includes(kind);
    const orgBound = ORG_BOUND_KINDS.includes(kind);
    let user: string | null = null;
    if (personal && o.user === undefined)
      this.fail(`${p}.user`, `a ${kind} token needs the login of the user it acts for`);
    else if (personal) user = this.field(o.user, at, "user") ?? null;
    else if (o.user !== undefined) this.fail(`${p}.user`, `a ${kind} token acts for no user: remove "user"`);
    if (o.scopes !== undefined && !SCOPED_KINDS.includes(kind))
      this.fail(
        `${p}.scopes`,
        `only classic and oauth tokens have scopes; a ${kind} token has ${orgBound ? "permissions" : "none"}`,
      );
    const scopes: string[] = [];
    this.each(o.scopes, `${at}/scopes`, (x) => scopes.push(x));
    let resourceOwner: string | null = null;
    if (orgBound) {
      if (o.resource_owner === undefined)
        this.fail(
          `${p}.resource_owner`,
          `a ${kind} token acts on one organization: name it in resource_owner`,
        );
      else resourceOwner = this.field(o.resource_owner, at, "resource_owner") ?? null;
      if (resourceOwner)
        this.pendingRefs.push({
          path: `${p}.resource_owner`,
          kind: "organization",
          name: resourceOwner.toLowerCase(),
        });
    } else if (o.resource_owner !== undefined)
      this.fail(
        `${p}.resource_owner`,
        `only fine_grained, app_user and app_installation tokens have a resource_owner`,
      );
    let permissions: Record<string, "read" | "write"> = {};
    if (o.permissions !== undefined) {
      if (!orgBound)
        this.fail(
          `${p}.permissions`,
          "only fine_grained, app_user and app_installation tokens have permissions; classic and oauth tokens have scopes",
        );
      else permissions = { ...(this.field(o.permissions, at, "permissions") ?? {}) };
    }
    const expires = this.field(o.expires_at, at, "expires_at");
    const expiresAt = expires ? parseRfc3339(expires)!.toISOString() : null;
    return secret !== undefined
      ? { token: secret, user, kind, scopes, resourceOwner, permissions, expiresAt }
      : null;
  }

  /** Validates the whole file. */
  root(raw: unknown): DirectoryFile {
    const empty: DirectoryFile = {
      enterprises: [],
      organizations: [],
      users: [],
      customModels: [],
      tokens: [],
    };
    if (raw === null || raw === undefined) return empty;
    if (!validateFile(raw)) this.schemaIssues(raw, validateFile.errors ?? []);
    if (!this.ok("")) return empty;
    const o = raw as import("./schema.js").DirectoryFileInput;
    const models = new Set<string>();
    const secrets = new Set<string>();
    const users = new Set<string>();
    const emails = new Map<string, string>();
    const each = <I, T>(
      v: I[] | null | undefined,
      key: string,
      fn: (item: I, i: number) => T | null,
    ): T[] => {
      const out: T[] = [];
      this.each(v, `/${key}`, (item, i) => {
        const x = fn(item, i);
        if (x !== null) out.push(x);
      });
      return out;
    };
    const file: DirectoryFile = {
      enterprises: each(o.enterprises, "enterprises", (x, i) => this.enterprise(x, i)),
      organizations: each(o.organizations, "organizations", (x, i) => this.organization(x, i)),
      users: each(o.users, "users", (x, i) => this.user(x, i, users, emails)),
      customModels: each(o.custom_models, "custom_models", (x, i) => this.model(x, i, models)),
      tokens: each(o.tokens, "tokens", (x, i) => this.token(x, i, secrets)),
    };
    for (const ref of this.pendingRefs) {
      const isEnt = this.enterprises.has(ref.name) || this.known.enterprises.has(ref.name);
      const isOrg = this.orgs.has(ref.name) || this.known.organizations.has(ref.name);
      if (ref.kind === "enterprise" && !isEnt)
        this.fail(
          ref.path,
          `no enterprise "${ref.name}" in this file or the store: add it under enterprises`,
        );
      if (ref.kind === "organization" && !isOrg)
        this.fail(
          ref.path,
          `no organization "${ref.name}" in this file or the store: add it under organizations`,
        );
      if (ref.kind === "owner" && !isEnt && !isOrg)
        this.fail(ref.path, `no organization or enterprise "${ref.name}" in this file or the store`);
    }
    return file;
  }
}

import { closest } from "../util/suggest.js";
import { isDay, parseRfc3339 } from "../util/time.js";
import {
  type CustomModelSpec,
  type DirectoryFile,
  type DirectoryIssue,
  type EnterprisePolicy,
  type EnterpriseSpec,
  type Grant,
  type OrgPolicy,
  type OrgSpec,
  type TeamSpec,
  TOKEN_KINDS,
  type TokenKind,
  type TokenSpec,
  type UserSpec,
} from "./model.js";

type Obj = Record<string, unknown>;
const LOGIN = /^[A-Za-z0-9-]{1,39}$/;
const MODEL = /^[A-Za-z0-9._+#-]{1,64}$/;
/** An e-mail address: one @, a dotted domain, no spaces; at most 254 characters (RFC 5321's path limit). */
const EMAIL = /^(?=.{3,254}$)[^\s@]+@[^\s@]+\.[^\s@]+$/;

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** A UTF-16 surrogate without its pair (from a `\ud800` escape): not a character, and no UTF-8 can hold it. */
const LONE_SURROGATE = /\p{Cs}/u;

/** A permission name of a fine-grained token or app: `copilot_business`, `administration`… */
const PERMISSION = /^[a-z_]{1,64}$/;

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

/** A date PostgreSQL can store: years 0001 to 9999 (year 0000 does not exist). */
const storableYear = (y: number) => y >= 1 && y <= 9999;

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

/** Walks a parsed file, collecting every problem with its path, and builds the model. */
export class Checker {
  readonly issues: DirectoryIssue[] = [];
  /** What is valid but probably a mistake (a team member outside the team's organization); `--strict` refuses it. */
  readonly warnings: DirectoryIssue[] = [];
  private readonly enterprises = new Set<string>();
  private readonly orgs = new Set<string>();
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

  /** Checks `v` is an object with only `allowed` keys (a misspelt key gets a suggestion). */
  private object(v: unknown, path: string, allowed: readonly string[]): Obj | null {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      this.fail(path, `must be a mapping with the fields ${allowed.join(", ")}`);
      return null;
    }
    for (const key of Object.keys(v)) {
      if (allowed.includes(key)) continue;
      // Two names whose lengths differ by more than 2 are more than 2 edits apart: skip the quadratic distance.
      const near = allowed.find((a) => Math.abs(a.length - key.length) <= 2 && distance(a, key) <= 2);
      this.fail(
        `${path}.${keyText(key)}`,
        `unknown field ${show(key)}${near ? `; did you mean "${near}"?` : `; the fields here are ${allowed.join(", ")}`}`,
      );
    }
    return v as Obj;
  }

  private list(v: unknown, path: string): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.fail(path, "must be a list (YAML `- item` lines or [a, b])");
      return [];
    }
    return v;
  }

  private login(v: unknown, path: string, what = "login"): string | null {
    if (typeof v === "string" && LOGIN.test(v)) return v;
    this.fail(path, `${show(v)} is not a valid ${what} (1–39 letters, digits or "-")`);
    return null;
  }

  private day(v: unknown, path: string): string | null {
    if (v === undefined || v === null) return null;
    const s = v instanceof Date && !Number.isNaN(v.getTime()) ? v.toISOString().slice(0, 10) : v;
    if (typeof s === "string" && isDay(s) && storableYear(Number(s.slice(0, 4)))) return s;
    this.fail(path, `${show(v)} is not a date: write YYYY-MM-DD (years 0001–9999), e.g. 2026-11-10`);
    return null;
  }

  private str(v: unknown, path: string, fallback: string): string {
    if (v === undefined || v === null) return fallback;
    // Control characters (NUL above all) cannot be stored in PostgreSQL text and have no place in a name; a lone
    // surrogate would be stored as U+FFFD, so the same file would change the name on every apply.
    if (
      typeof v === "string" &&
      v.length > 0 &&
      v.length <= 255 &&
      !hasControlCharacter(v) &&
      !LONE_SURROGATE.test(v)
    )
      return v;
    this.fail(
      path,
      "must be a text of 1–255 characters without control characters or lone surrogates (\\ud800…\\udfff escapes)",
    );
    return fallback;
  }

  private oneOf<T extends string>(v: unknown, path: string, values: readonly T[], fallback: T): T {
    if (v === undefined || v === null) return fallback;
    if (typeof v === "string" && (values as readonly string[]).includes(v)) return v as T;
    this.fail(path, `must be one of ${values.join(", ")}, got ${show(v)}`);
    return fallback;
  }

  private grants(v: unknown, path: string, seats = false): Grant[] {
    const out: Grant[] = [];
    this.list(v, path).forEach((item, i) => {
      const p = `${path}[${i}]`;
      if (typeof item === "string") {
        const login = this.login(item, p);
        if (login) out.push({ login, since: null, until: null });
        return;
      }
      const o = this.object(
        item,
        p,
        seats ? ["login", "since", "until", "assigning_team"] : ["login", "since", "until"],
      );
      if (!o) return;
      const login = this.login(o.login, `${p}.login`);
      const team =
        o.assigning_team === undefined
          ? undefined
          : this.login(o.assigning_team, `${p}.assigning_team`, "team slug");
      const since = this.day(o.since, `${p}.since`);
      const until = this.day(o.until, `${p}.until`);
      if (since && until && until < since)
        this.fail(`${p}.until`, `${until} is before since ${since}: until must be on or after since`);
      if (login) out.push({ login, since, until, ...(team ? { assigningTeam: team.toLowerCase() } : {}) });
    });
    return out;
  }

  private teams(v: unknown, path: string): TeamSpec[] {
    const seen = new Set<string>();
    const out: TeamSpec[] = [];
    this.list(v, path).forEach((item, i) => {
      const p = `${path}[${i}]`;
      const o = this.object(item, p, ["slug", "name", "members"]);
      if (!o) return;
      const slug = this.login(o.slug, `${p}.slug`, "team slug");
      if (slug && seen.has(slug.toLowerCase()))
        this.fail(`${p}.slug`, `team "${slug}" appears twice here: merge the two entries`);
      if (!slug) return;
      seen.add(slug.toLowerCase());
      out.push({
        slug: slug.toLowerCase(),
        name: this.str(o.name, `${p}.name`, slug),
        members: this.grants(o.members, `${p}.members`),
      });
    });
    return out;
  }

  private enterprise(item: unknown, p: string): EnterpriseSpec | null {
    const o = this.object(item, p, [
      "slug",
      "name",
      "copilot_metrics_policy",
      "owners",
      "billing_managers",
      "seats",
      "members",
      "teams",
    ]);
    if (!o) return null;
    const slug = this.login(o.slug, `${p}.slug`, "enterprise slug");
    if (slug && this.enterprises.has(slug.toLowerCase()))
      this.fail(`${p}.slug`, `enterprise "${slug}" appears twice: merge the two entries`);
    if (slug) this.enterprises.add(slug.toLowerCase());
    const spec: EnterpriseSpec = {
      slug: (slug ?? "").toLowerCase(),
      name: this.str(o.name, `${p}.name`, slug ?? ""),
      policy: this.oneOf<EnterprisePolicy>(
        o.copilot_metrics_policy,
        `${p}.copilot_metrics_policy`,
        ["enabled", "disabled", "no_policy"],
        "no_policy",
      ),
      owners: this.grants(o.owners, `${p}.owners`),
      billingManagers: this.grants(o.billing_managers, `${p}.billing_managers`),
      seats: this.grants(o.seats, `${p}.seats`),
      members: this.grants(o.members, `${p}.members`),
      teams: this.teams(o.teams, `${p}.teams`),
    };
    return slug ? spec : null;
  }

  private organization(item: unknown, p: string): OrgSpec | null {
    const o = this.object(item, p, [
      "login",
      "name",
      "enterprise",
      "copilot_metrics_policy",
      "owners",
      "members",
      "seats",
      "teams",
    ]);
    if (!o) return null;
    const login = this.login(o.login, `${p}.login`, "organization login");
    if (login && this.orgs.has(login.toLowerCase()))
      this.fail(
        `${p}.login`,
        `organization "${login}" appears twice (logins are case-insensitive): merge the two entries`,
      );
    if (login) this.orgs.add(login.toLowerCase());
    let enterprise: string | null = null;
    if (o.enterprise !== undefined && o.enterprise !== null) {
      enterprise = this.login(o.enterprise, `${p}.enterprise`, "enterprise slug")?.toLowerCase() ?? null;
      if (enterprise)
        this.pendingRefs.push({ path: `${p}.enterprise`, kind: "enterprise", name: enterprise });
    }
    const spec: OrgSpec = {
      login: login ?? "",
      name: this.str(o.name, `${p}.name`, login ?? ""),
      enterprise,
      policy: this.oneOf<OrgPolicy>(
        o.copilot_metrics_policy,
        `${p}.copilot_metrics_policy`,
        ["enabled", "disabled"],
        "enabled",
      ),
      owners: this.grants(o.owners, `${p}.owners`),
      members: this.grants(o.members, `${p}.members`),
      seats: this.grants(o.seats, `${p}.seats`, true),
      teams: this.teams(o.teams, `${p}.teams`),
    };
    this.teamMembersOutside(spec, p);
    const teamSlugs = new Set(spec.teams.map((t) => t.slug));
    spec.seats.forEach((g, i) => {
      if (g.assigningTeam && !teamSlugs.has(g.assigningTeam)) {
        this.fail(
          `${p}.seats[${i}].assigning_team`,
          `no team "${g.assigningTeam}" in this organization's teams: add it under teams`,
        );
      }
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

  private user(
    item: unknown,
    p: string,
    seen: Set<string>,
    emailsSeen: Map<string, string>,
  ): UserSpec | null {
    const o = this.object(item, p, ["login", "telemetry", "emails"]);
    if (!o) return null;
    const login = this.login(o.login, `${p}.login`);
    if (login && seen.has(login.toLowerCase()))
      this.fail(
        `${p}.login`,
        `user "${login}" appears twice (logins are case-insensitive): merge the two entries`,
      );
    if (login) seen.add(login.toLowerCase());
    if (o.telemetry !== undefined && typeof o.telemetry !== "boolean")
      this.fail(`${p}.telemetry`, "must be true or false");
    const emails: string[] = [];
    this.list(o.emails, `${p}.emails`).forEach((e, i) => {
      const path = `${p}.emails[${i}]`;
      if (typeof e !== "string" || !EMAIL.test(e) || hasControlCharacter(e)) {
        this.fail(path, `must be an e-mail address such as mona@example.com, got ${show(e)}`);
        return;
      }
      const lower = e.toLowerCase();
      const owner = emailsSeen.get(lower);
      if (owner !== undefined) {
        this.fail(
          path,
          `${e} is listed for ${owner} already (e-mails are case-insensitive): an address belongs to one user`,
        );
        return;
      }
      if (login) emailsSeen.set(lower, login);
      emails.push(lower);
    });
    return login ? { login, telemetry: o.telemetry !== false, emails } : null;
  }

  private model(item: unknown, p: string, seen: Set<string>): CustomModelSpec | null {
    const o = this.object(item, p, ["name", "training_date", "owner"]);
    if (!o) return null;
    if (typeof o.name !== "string" || !MODEL.test(o.name)) {
      this.fail(`${p}.name`, `${show(o.name)} is not a model name (1–64 letters, digits or ._+#-)`);
      return null;
    }
    if (seen.has(o.name))
      this.fail(`${p}.name`, `custom model "${o.name}" appears twice: merge the two entries`);
    seen.add(o.name);
    let owner: string | null = null;
    if (o.owner !== undefined && o.owner !== null) {
      owner = this.login(o.owner, `${p}.owner`, "organization or enterprise");
      if (owner) this.pendingRefs.push({ path: `${p}.owner`, kind: "owner", name: owner.toLowerCase() });
    }
    return { name: o.name, trainingDate: this.day(o.training_date, `${p}.training_date`), owner };
  }

  private token(item: unknown, p: string, seen: Set<string>): TokenSpec | null {
    const o = this.object(item, p, [
      "token",
      "user",
      "kind",
      "scopes",
      "resource_owner",
      "permissions",
      "expires_at",
    ]);
    if (!o) return null;
    const secret = typeof o.token === "string" && /^\S{8,255}$/.test(o.token) ? o.token : null;
    if (!secret) this.fail(`${p}.token`, "must be a secret of 8–255 characters without spaces");
    else if (seen.has(secret))
      this.fail(`${p}.token`, "this secret is used twice: every token needs its own");
    if (secret) seen.add(secret);
    if (!(TOKEN_KINDS as readonly unknown[]).includes(o.kind)) {
      this.fail(`${p}.kind`, `must be one of ${TOKEN_KINDS.join(", ")}, got ${show(o.kind)}`);
      return null;
    }
    const kind = o.kind as TokenKind;
    const personal = kind === "classic" || kind === "oauth" || kind === "fine_grained" || kind === "app_user";
    const orgBound = kind === "fine_grained" || kind === "app_user" || kind === "app_installation";
    let user: string | null = null;
    if (personal && o.user === undefined)
      this.fail(`${p}.user`, `a ${kind} token needs the login of the user it acts for`);
    else if (personal) user = this.login(o.user, `${p}.user`);
    else if (o.user !== undefined) this.fail(`${p}.user`, `a ${kind} token acts for no user: remove "user"`);
    const scopes: string[] = [];
    if (o.scopes !== undefined) {
      if (kind !== "classic" && kind !== "oauth")
        this.fail(
          `${p}.scopes`,
          `only classic and oauth tokens have scopes; a ${kind} token has ${orgBound ? "permissions" : "none"}`,
        );
      this.list(o.scopes, `${p}.scopes`).forEach((s, i) => {
        if (typeof s === "string" && /^[a-z_:]{1,64}$/.test(s)) scopes.push(s);
        else this.fail(`${p}.scopes[${i}]`, `${show(s)} is not a scope such as read:org`);
      });
    }
    let resourceOwner: string | null = null;
    if (orgBound) {
      if (o.resource_owner === undefined)
        this.fail(
          `${p}.resource_owner`,
          `a ${kind} token acts on one organization: name it in resource_owner`,
        );
      else resourceOwner = this.login(o.resource_owner, `${p}.resource_owner`, "organization login");
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
    const permissions: Record<string, "read" | "write"> = {};
    if (o.permissions !== undefined) {
      if (!orgBound)
        this.fail(
          `${p}.permissions`,
          "only fine_grained, app_user and app_installation tokens have permissions; classic and oauth tokens have scopes",
        );
      else if (typeof o.permissions !== "object" || o.permissions === null || Array.isArray(o.permissions))
        this.fail(`${p}.permissions`, "must be a mapping such as { copilot_business: read }");
      else
        for (const [k, v] of Object.entries(o.permissions)) {
          // Stored as jsonb: a NUL (or any odd key) would fail there, after validation said yes.
          if (!PERMISSION.test(k))
            this.fail(
              `${p}.permissions.${keyText(k)}`,
              `${show(k)} is not a permission name such as copilot_business (lowercase letters and _)`,
            );
          else if (v === "read" || v === "write") permissions[k] = v;
          else this.fail(`${p}.permissions.${k}`, `must be read or write, got ${show(v)}`);
        }
    }
    let expiresAt: string | null = null;
    if (o.expires_at !== undefined && o.expires_at !== null) {
      const s =
        o.expires_at instanceof Date && !Number.isNaN(o.expires_at.getTime())
          ? o.expires_at.toISOString()
          : o.expires_at;
      const at = typeof s === "string" ? parseRfc3339(s) : null;
      if (at && storableYear(at.getUTCFullYear())) expiresAt = at.toISOString();
      else
        this.fail(
          `${p}.expires_at`,
          `${show(o.expires_at)} is not an RFC 3339 timestamp such as 2027-01-01T00:00:00Z (years 0001–9999 in UTC)`,
        );
    }
    return secret ? { token: secret, user, kind, scopes, resourceOwner, permissions, expiresAt } : null;
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
    const o = this.object(raw, "(root)", [
      "enterprises",
      "organizations",
      "users",
      "custom_models",
      "tokens",
    ]);
    if (!o) return empty;
    const each = <T>(key: string, fn: (item: unknown, path: string) => T | null): T[] =>
      this.list(o[key], key)
        .map((item, i) => fn(item, `${key}[${i}]`))
        .filter((x): x is T => x !== null);
    const models = new Set<string>();
    const secrets = new Set<string>();
    const users = new Set<string>();
    const emails = new Map<string, string>();
    const file: DirectoryFile = {
      enterprises: each("enterprises", (x, p) => this.enterprise(x, p)),
      organizations: each("organizations", (x, p) => this.organization(x, p)),
      users: each("users", (x, p) => this.user(x, p, users, emails)),
      customModels: each("custom_models", (x, p) => this.model(x, p, models)),
      tokens: each("tokens", (x, p) => this.token(x, p, secrets)),
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

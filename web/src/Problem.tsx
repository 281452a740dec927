import type { ApiFailure } from "./api.js";
import { isEnterpriseKind, KIND_LABELS, type Scope, scopeName } from "./scope.js";

const list = (header: string) =>
  header
    .split(/[;,]/)
    .map((s) => s.trim())
    .filter(Boolean);

function Code(props: { items: string[] }) {
  return (
    <>
      {props.items.map((s, i) => (
        <span key={s}>
          {i > 0 && ", "}
          <code>{s}</code>
        </span>
      ))}
    </>
  );
}

/** Classic scopes imply their narrower ones, as on GitHub (README, "Access"). */
const IMPLIED: Record<string, string[]> = {
  "read:org": ["write:org", "admin:org"],
  "write:org": ["admin:org"],
  "read:enterprise": ["admin:enterprise"],
};
const grants = (has: string[], scope: string) =>
  has.includes(scope) || (IMPLIED[scope] ?? []).some((s) => has.includes(s));

/** 403: the API's own message, then the scope, permission or role it names, from its headers. */
function Forbidden(props: { f: ApiFailure; scope: Scope }) {
  const f = props.f;
  if (/rate limit/i.test(f.message)) {
    return (
      <p>
        This token has used its hourly request budget.{" "}
        {f.retryAfter ? `Try again in ${f.retryAfter} seconds.` : "Try again later."}
      </p>
    );
  }
  const accepted = f.acceptedScopes ? list(f.acceptedScopes) : [];
  const has = f.tokenScopes != null ? list(f.tokenScopes) : null;
  const permissions = f.acceptedPermissions ? list(f.acceptedPermissions) : [];
  const scopeMissing = accepted.length > 0 && has !== null && !accepted.some((a) => grants(has, a));
  return (
    <>
      {accepted.length > 0 && (
        <p>
          {scopeMissing ? "Missing scope: this route needs" : "Scopes this route accepts:"} any one of{" "}
          <Code items={accepted} />
          {has !== null && <>; the token has {has.length ? <Code items={has} /> : "no scopes"}</>}.
          {scopeMissing &&
            isEnterpriseKind(props.scope.kind) &&
            " With the scope, the token's user must also be an owner or billing manager of the enterprise."}
        </p>
      )}
      {permissions.length > 0 && (
        <p>
          Permissions this route accepts (fine-grained and app tokens, on the organization):{" "}
          <Code items={permissions} />.
        </p>
      )}
      {!scopeMissing && /^Only |member/i.test(f.message) && (
        <p>
          Missing role: roles come from the directory file (<code>owners</code>, <code>billing_managers</code>{" "}
          of the organization or enterprise; see docs/directory-file.md).
        </p>
      )}
    </>
  );
}

/** 422 with the policy off: where to switch it on (docs/directory-file.md), and on GitHub. */
function PolicyDisabled(props: { scope: Scope }) {
  const s = props.scope;
  const ent = isEnterpriseKind(s.kind);
  const yaml = ent
    ? `enterprises:\n  - slug: ${s.owner}\n    copilot_metrics_policy: enabled`
    : `organizations:\n  - login: ${s.owner}\n    copilot_metrics_policy: enabled`;
  return (
    <>
      <p>
        To enable it, set the policy in the directory file and load it with{" "}
        <code>npx pilotlog apply FILE</code>:
      </p>
      <pre>
        <code>{yaml}</code>
      </pre>
      <p>
        {ent
          ? "The enterprise's copilot_metrics_policy (enabled, disabled or no_policy) governs the enterprise routes."
          : "An enterprise policy of disabled wins over the organization's setting, and enabled enables every organization: if the organization's enterprise says disabled, change it there (or set it to no_policy to let each organization decide)."}{" "}
        On GitHub this is the "Copilot Metrics API access" policy in the {ent ? "enterprise" : "organization"}
        's Copilot settings.
      </p>
    </>
  );
}

/** Explains a failed request in the words a person can act on. */
export function Problem(props: { f: ApiFailure; scope: Scope; onSignOut?: () => void }) {
  const { f, scope } = props;
  const what = `${KIND_LABELS[scope.kind].toLowerCase()} ${scopeName(scope)}`;
  const policy = f.status === 422 && /disabled/i.test(f.message);
  const title =
    f.status === 401
      ? "The token was refused (401)"
      : f.status === 403
        ? `Access denied to the ${what} (403)`
        : f.status === 404
          ? `Not found: the ${what} (404)`
          : policy
            ? `Copilot Metrics API access is disabled for the ${what} (422)`
            : f.status === 422
              ? "The query was refused (422)"
              : `The server answered ${f.status}`;
  return (
    <div class="problem" role="alert" data-status={f.status}>
      <h2>{title}</h2>
      <p class="api-message">
        <span class="muted">The API says:</span> {f.message}
      </p>
      {f.status === 401 && (
        <p>
          The token is unknown, expired or revoked.{" "}
          {props.onSignOut && (
            <button type="button" onClick={props.onSignOut}>
              Sign in again
            </button>
          )}
        </p>
      )}
      {f.status === 403 && <Forbidden f={f} scope={scope} />}
      {f.status === 404 && (
        <p>
          Check the spelling of the {isEnterpriseKind(scope.kind) ? "enterprise slug" : "organization login"}
          {scope.kind.endsWith("team") ? " and the team slug" : ""}.
        </p>
      )}
      {policy && <PolicyDisabled scope={scope} />}
    </div>
  );
}

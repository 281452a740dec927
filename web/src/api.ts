/**
 * The dashboard is a client of pilotlog's public, GitHub-shaped API: same origin, the signed-in token as a
 * Bearer header, nothing else. Failures keep what a person needs to act on them: status, GitHub's message,
 * and the headers that name the accepted scopes or permissions.
 */

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly path: string,
    /** `X-Accepted-OAuth-Scopes`: any one of these would do (classic and OAuth tokens). */
    readonly acceptedScopes: string | null,
    /** `X-OAuth-Scopes`: what the token has. */
    readonly tokenScopes: string | null,
    /** `X-Accepted-GitHub-Permissions` (fine-grained and app tokens). */
    readonly acceptedPermissions: string | null,
    readonly retryAfter: string | null,
  ) {
    super(message);
  }
}

interface ErrorBody {
  message?: unknown;
  errors?: { field?: unknown; message?: unknown; code?: unknown }[];
}

async function failure(res: Response, path: string): Promise<ApiFailure> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as ErrorBody;
    if (typeof body.message === "string") message = body.message;
    // Validation errors name the parameter: keep it, it is what the person has to change.
    const fields = (body.errors ?? [])
      .map((e) => [e.field, e.message ?? e.code].filter((x) => typeof x === "string").join(": "))
      .filter(Boolean);
    if (fields.length) message += ` (${fields.join("; ")})`;
  } catch {
    // Not JSON (a proxy's page, say): the status line is all there is.
  }
  const h = res.headers;
  return new ApiFailure(
    res.status,
    message,
    path,
    h.get("x-accepted-oauth-scopes"),
    h.get("x-oauth-scopes"),
    h.get("x-accepted-github-permissions"),
    h.get("retry-after"),
  );
}

/** The `next` page of a `Link` header, GitHub's format. */
function nextLink(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(",")) {
    const m = /<([^>]+)>\s*;\s*rel="next"/.exec(part);
    if (m?.[1]) {
      const u = new URL(m[1], location.origin);
      return `${u.pathname}${u.search}`;
    }
  }
  return null;
}

export class Api {
  constructor(private readonly token: string) {}

  private async request(path: string, signal?: AbortSignal): Promise<Response> {
    const res = await fetch(path, {
      headers: {
        accept: "application/vnd.github+json",
        authorization: `Bearer ${this.token}`,
        "x-github-api-version": "2022-11-28",
      },
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) throw await failure(res, path);
    return res;
  }

  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return (await (await this.request(path, signal)).json()) as T;
  }

  /** A GET that may answer 204 No Content (a report with no record): null then. */
  async getOrNone<T>(path: string, signal?: AbortSignal): Promise<T | null> {
    const res = await this.request(path, signal);
    return res.status === 204 ? null : ((await res.json()) as T);
  }

  /** Every page of a list route, following `Link: rel="next"`. */
  async all<T>(path: string, signal?: AbortSignal): Promise<T[]> {
    const out: T[] = [];
    let next: string | null = path;
    // A bound, in case a server ever links a page to itself.
    for (let i = 0; next && i < 50; i++) {
      const res = await this.request(next, signal);
      out.push(...((await res.json()) as T[]));
      next = nextLink(res.headers.get("link"));
    }
    return out;
  }
}

import { Octokit } from "@octokit/core";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";

/**
 * The upstream client: octokit with its throttling plugin (secondary-rate-limit 403s and 429s wait `retry-after`,
 * a spent budget waits for `x-ratelimit-reset`) and its retry plugin (5xx and network errors, with back-off). A
 * response that leaves `x-ratelimit-remaining: 0` makes the next request wait for the reset first. The token is
 * octokit's `auth` and nowhere else: no message of this module contains it.
 */

/** How the run tells its user about waits (never with a header or the token). */
export type SyncLog = (line: string) => void;

const SyncOctokit = Octokit.plugin(throttling, retry);
type Client = InstanceType<typeof SyncOctokit>;

/** Retries of one request after a rate limit before the run gives up on it. */
const RATE_LIMIT_RETRIES = 5;
/** Longest wait for a reset the client accepts; GitHub's budget resets within an hour. */
const MAX_WAIT_S = 3600;

/** Thrown for what the upstream refuses in a way the user has to fix (bad token, missing access, unknown scope). */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface Upstream {
  api: string;
  /** GET of a JSON route; `ok` lists the statuses answered without an error (204, 404 where it means "no day"). */
  get<T>(
    path: string,
    query?: Record<string, string | number>,
    ok?: number[],
  ): Promise<{ status: number; data: T }>;
  /** Every page of a list route (per_page=100 until a short page). `key`: the array's key in an object answer. */
  list<T>(path: string, key?: string): Promise<T[]>;
  /** Waits spent on rate limits so far, for the summary. */
  waits(): number;
}

/** Normalises an API base: `https://api.github.com`, a GHE.com `https://api.SUBDOMAIN.ghe.com`, a pilotlog URL. */
export function apiBase(api: string): string {
  let u: URL;
  try {
    u = new URL(api);
  } catch {
    throw new UpstreamError(
      `--api ${JSON.stringify(api)} is not a URL: write it as https://api.github.com`,
      0,
    );
  }
  if (u.protocol !== "https:" && u.protocol !== "http:")
    throw new UpstreamError(`--api ${api}: only http and https URLs are supported`, 0);
  return u.toString().replace(/\/+$/, "");
}

export function upstream(
  api: string,
  token: string,
  opts: { log: SyncLog; sleep?: (ms: number) => Promise<void>; wallMs?: () => number; retries?: number },
): Upstream {
  // x-ratelimit-reset is an instant of the upstream's wall clock, so it is compared with the wall clock, not the
  // (movable) server clock.
  const wallMs = opts.wallMs ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let waits = 0;
  let resetAt = 0;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, options: { method?: string; url?: string }, _o: unknown, retryCount: number) => {
      waits++;
      if (retryCount >= RATE_LIMIT_RETRIES || retryAfter > MAX_WAIT_S) {
        opts.log(
          `${kind} on ${options.method ?? "GET"} ${pathOf(options.url)}: giving up after ${retryCount} retries`,
        );
        return false;
      }
      opts.log(
        `${kind} on ${options.method ?? "GET"} ${pathOf(options.url)}: waiting ${retryAfter} s as the API asks`,
      );
      return true;
    };
  const client: Client = new SyncOctokit({
    auth: token,
    baseUrl: apiBase(api),
    userAgent: "pilotlog-sync",
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    throttle: {
      onRateLimit: onLimit("rate limit spent"),
      onSecondaryRateLimit: onLimit("secondary rate limit"),
    },
    retry: {
      doNotRetry: [400, 401, 403, 404, 410, 422, 451],
      ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    },
  });
  // GitHub's advice: when a response says the budget is spent, wait for its reset before the next request (the
  // throttling plugin only reacts once a request has been refused).
  client.hook.before("request", async () => {
    const wait = resetAt - wallMs();
    if (wait > 0) {
      waits++;
      opts.log(`rate limit budget spent: waiting ${Math.ceil(wait / 1000)} s for its reset`);
      await sleep(Math.min(wait, MAX_WAIT_S * 1000));
    }
    resetAt = 0;
  });
  client.hook.after("request", (res) => {
    const h = res.headers as Record<string, string | undefined>;
    if (h["x-ratelimit-remaining"] === "0" && h["x-ratelimit-reset"])
      resetAt = Number(h["x-ratelimit-reset"]) * 1000 + 1000;
  });

  const base = apiBase(api);
  const get = async <T>(
    path: string,
    query: Record<string, string | number> = {},
    ok: number[] = [],
  ): Promise<{ status: number; data: T }> => {
    try {
      const res = await client.request(`GET ${path}`, {
        ...query,
        headers: { accept: "application/vnd.github+json", "x-github-api-version": "2026-03-10" },
      });
      return { status: res.status, data: res.data as T };
    } catch (err) {
      const status = (err as { status?: number }).status ?? 0;
      if (ok.includes(status)) return { status, data: null as T };
      throw explain(err, base, path);
    }
  };
  return {
    api: base,
    get,
    async list<T>(path: string, key?: string): Promise<T[]> {
      const out: T[] = [];
      for (let page = 1; ; page++) {
        const { data } = await get<unknown>(path, { per_page: 100, page });
        const items = (key ? (data as Record<string, unknown>)[key] : data) as T[];
        if (!Array.isArray(items)) throw new UpstreamError(`${base}${path} did not answer a list`, 0);
        out.push(...items);
        if (items.length < 100) return out;
      }
    },
    waits: () => waits,
  };
}

function pathOf(url: string | undefined): string {
  if (!url) return "?";
  try {
    return new URL(url, "http://x").pathname;
  } catch {
    return url.split("?")[0]!;
  }
}

/** An octokit error as a message for the user: status, the upstream's message, what to do. Never the token. */
function explain(err: unknown, base: string, path: string): Error {
  const e = err as { status?: number; message?: string; response?: { data?: { message?: string } } };
  const status = e.status ?? 0;
  const said = e.response?.data?.message ?? e.message ?? String(err);
  const where = `GET ${base}${path}`;
  if (status === 401)
    return new UpstreamError(
      `${where} answered 401 (${said}): the token was refused; check --token, --token-file or GITHUB_TOKEN`,
      401,
    );
  if (status === 403)
    return new UpstreamError(
      `${where} answered 403 (${said}): the token may not read this; it needs read:org (organizations) or read:enterprise and manage_billing:copilot (enterprises), and the Copilot usage metrics policy must be enabled`,
      403,
    );
  if (status === 404)
    return new UpstreamError(
      `${where} answered 404 (${said}): check the --org / --enterprise name and --api`,
      404,
    );
  if (status === 0)
    return new UpstreamError(
      `cannot reach ${base} (${(e as { message?: string }).message ?? "no answer"}): check --api and the network`,
      0,
    );
  return new UpstreamError(`${where} answered ${status} (${said})`, status);
}

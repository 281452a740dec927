/**
 * Loads what the usage-metrics reports hold for a scope and range, the way any client reads them: the report
 * route (with the signed-in token) answers with signed download links on this server, and each link is fetched
 * with a plain GET and no Authorization (the signature is the credential, as with GitHub's links). Then the
 * OpenTelemetry usage rows of the same days.
 */
import { type Api, ApiFailure } from "./api.js";
import { dayRange } from "./dates.js";
import { parseNdjson } from "./ndjson.js";
import type {
  ReportLinks,
  ReportLinks1Day,
  ReportLinks28Day,
  UsageAnswer,
  UserDayRecord,
  UserTeamRow,
} from "./report-types.js";
import { isEnterpriseKind, isTeamKind, type View } from "./scope.js";

const seg = encodeURIComponent;

/** The report routes of the view's organization or enterprise (teams have no report of their own). */
export function reportsBase(v: View): string {
  return isEnterpriseKind(v.kind)
    ? `/enterprises/${seg(v.owner)}/copilot/metrics/reports`
    : `/orgs/${seg(v.owner)}/copilot/metrics/reports`;
}

export interface ReportData {
  /** The scope's user-day records of the range (for a team: its members' records of the days they were in it). */
  records: UserDayRecord[];
  /** Days of the range no report exists for (not processed yet, or outside the retention). */
  unavailable: string[];
  /** For a team: days the team was left out of user-teams-1-day (fewer than 5 seated members), or null. */
  teamHidden: string[] | null;
  /** OpenTelemetry usage rows of the range, or the failure of the usage route (shown in its panel). */
  usage: UsageAnswer | ApiFailure;
  /**
   * Whose usage rows belong to the scope: for an organization or an organization's team its members today and
   * everyone with a record in the range; for an enterprise team those with a record; null for an enterprise
   * (every row the token may read: an enterprise owner reads everyone's).
   */
  usageUsers: Set<string> | null;
}

/** Today's members of an organization or an organization's team (logins), or null when the list is refused. */
async function members(api: Api, v: View, signal: AbortSignal): Promise<string[] | null> {
  const path =
    v.kind === "team"
      ? `/orgs/${seg(v.owner)}/teams/${seg(v.team)}/members?per_page=100`
      : `/orgs/${seg(v.owner)}/members?per_page=100`;
  try {
    return (await api.all<{ login: string }>(path, signal)).map((m) => m.login);
  } catch (e) {
    if (e instanceof ApiFailure) return null;
    throw e;
  }
}

/** The id of the view's enterprise team, from the enterprise's team list; null when the list is refused. */
async function enterpriseTeamId(api: Api, v: View, signal: AbortSignal): Promise<number | null> {
  try {
    const teams = await api.all<{ id: number; slug: string }>(
      `/enterprises/${seg(v.owner)}/teams?per_page=100`,
      signal,
    );
    return teams.find((t) => t.slug.toLowerCase() === v.team.toLowerCase())?.id ?? null;
  } catch (e) {
    if (e instanceof ApiFailure) return null;
    throw e;
  }
}

/** Fetches one signed link: same origin, no credentials, the file's text. */
async function download(link: string, signal: AbortSignal): Promise<string> {
  const res = await fetch(link, { signal, credentials: "omit" });
  if (!res.ok)
    throw new ApiFailure(
      res.status,
      `Downloading a report file answered ${res.status}.`,
      new URL(link).pathname,
      null,
      null,
      null,
      null,
    );
  return res.text();
}

async function files<T>(links: ReportLinks | null, signal: AbortSignal): Promise<T[]> {
  if (!links) return [];
  // A report split past --report-file-records is several files: concatenated, as the viewer does.
  const texts = await Promise.all(links.download_links.map((l) => download(l, signal)));
  return texts.flatMap((t, i) => parseNdjson<T>(t, `report file ${i + 1}`));
}

/** A 404 of a report route: no report for that day (or none processed yet). */
const absent = (e: unknown) => e instanceof ApiFailure && e.status === 404;

/** Runs `f` over the items, at most `n` at a time. */
async function limited<I, O>(items: readonly I[], n: number, f: (i: I) => Promise<O>): Promise<O[]> {
  const out: O[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/**
 * The records of the range: the 28-day report where it covers the range, the 1-day report for each day outside
 * it. Access refusals (401/403) are thrown, to be explained as for the legacy routes.
 */
export async function loadReports(api: Api, v: View, signal: AbortSignal): Promise<ReportData> {
  const base = reportsBase(v);
  const days = dayRange(v.since, v.until);
  const people =
    v.kind === "org" || v.kind === "team" ? members(api, v, signal).catch(() => null) : Promise.resolve(null);
  const usage = api
    .get<UsageAnswer>(`/telemetry/v1/usage?since=${v.since}&until=${v.until}`, signal)
    // Never left to reject unawaited: a failure is shown in the OpenTelemetry panel only.
    .catch((e: unknown) =>
      e instanceof ApiFailure
        ? e
        : new ApiFailure(
            0,
            `The usage route could not be reached (${String(e)}).`,
            "/telemetry/v1/usage",
            null,
            null,
            null,
            null,
          ),
    );
  const latest = await api
    .getOrNone<ReportLinks28Day>(`${base}/users-28-day/latest`, signal)
    .catch((e: unknown) => {
      if (absent(e)) return null;
      throw e;
    });
  const first = latest?.report_start_day ?? "";
  const last = latest?.report_end_day ?? "";
  const outside = days.filter((d) => !latest || d < first || d > last);
  const unavailable: string[] = [];
  const oneDay = await limited(outside, 4, async (d) => {
    try {
      return await files<UserDayRecord>(
        await api.getOrNone<ReportLinks1Day>(`${base}/users-1-day?day=${d}`, signal),
        signal,
      );
    } catch (e) {
      if (!absent(e)) throw e;
      unavailable.push(d);
      return [];
    }
  });
  const inRange = (r: { day: string }) => r.day >= v.since && r.day <= v.until;
  let records = [...(await files<UserDayRecord>(latest, signal)).filter(inRange), ...oneDay.flat()];
  let teamHidden: string[] | null = null;
  if (isTeamKind(v.kind)) {
    const recordDays = [...new Set(records.map((r) => r.day))].sort();
    const rows = await limited(recordDays, 4, async (d) =>
      files<UserTeamRow>(
        await api.getOrNone<ReportLinks1Day>(`${base}/user-teams-1-day?day=${d}`, signal),
        signal,
      ),
    );
    // An enterprise's user-team rows hold its own teams and every organization's: one slug can name several
    // teams there, so an enterprise team is matched by its id (organization rows hold that organization's only).
    const teamId = v.kind === "enterprise-team" ? await enterpriseTeamId(api, v, signal) : null;
    const inTeam = new Set(
      rows
        .flat()
        .filter((r) =>
          teamId !== null ? r.team_id === teamId : r.slug.toLowerCase() === v.team.toLowerCase(),
        )
        .map((r) => `${r.user_login}\u0000${r.day}`),
    );
    const teamDays = new Set([...inTeam].map((k) => k.split("\u0000")[1]));
    teamHidden = recordDays.filter((d) => !teamDays.has(d));
    records = records.filter((r) => inTeam.has(`${r.user_login}\u0000${r.day}`));
  }
  records.sort((a, b) =>
    a.user_login < b.user_login ? -1 : a.user_login > b.user_login ? 1 : a.day < b.day ? -1 : 1,
  );
  const usageUsers =
    v.kind === "enterprise"
      ? null
      : new Set([...((await people) ?? []), ...records.map((r) => r.user_login)]);
  return { records, unavailable: unavailable.sort(), teamHidden, usage: await usage, usageUsers };
}

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWorld, simulate, type World, worldDirectory } from "../src/simulate/index.js";
import { addDays } from "../src/util/time.js";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";

/**
 * The web dashboard in real (Debian) Chromium against a real server holding the demo world: what it shows must be
 * what the API answers, and its 403 and 422 explanations must name the fix.
 */

const CHROMIUM = "/usr/bin/chromium";
const NOW = "2026-11-20T12:00:00Z";
const LAST = "2026-11-19";
const ARTIFACTS = "test-artifacts";
const BUILT = "dist/web/index.html";

if (!existsSync(CHROMIUM)) {
  console.warn(
    `dashboard.e2e: skipped, ${CHROMIUM} is absent. Install Debian's browser: apt-get install -y chromium (.ci/run does).`,
  );
}

/** The newest modification time under a folder. */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((t, e) => {
    const p = join(dir, e.name);
    return Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);
}

/** `npm run build` makes dist/web; build it here when absent or older than web/ (a test run on its own). */
function ensureWebBuild(): void {
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= newest("web")) return;
  execFileSync("npx", ["vite", "build", "web", "--logLevel", "warn"], { stdio: "inherit" });
}

interface Day {
  date: string;
  total_active_users: number;
  total_engaged_users: number;
  copilot_ide_code_completions: {
    editors?: {
      models?: { languages?: { total_code_suggestions: number; total_code_acceptances: number }[] }[];
    }[];
  } | null;
}

/** The dashboard's formats: `1,234` and `29.9%`. */
const count = (n: number) => new Intl.NumberFormat("en-US").format(n);
const percent = (accepted: number, suggested: number) => `${((accepted / suggested) * 100).toFixed(1)}%`;

function completions(days: Day[]): { suggestions: number; acceptances: number } {
  let suggestions = 0;
  let acceptances = 0;
  for (const d of days)
    for (const e of d.copilot_ide_code_completions?.editors ?? [])
      for (const m of e.models ?? [])
        for (const l of m.languages ?? []) {
          suggestions += l.total_code_suggestions;
          acceptances += l.total_code_acceptances;
        }
  return { suggestions, acceptances };
}

describe.skipIf(!existsSync(CHROMIUM))("web dashboard in Chromium", () => {
  let h: Harness;
  let world: World;
  let browser: Browser;
  let page: Page;
  const foreign: string[] = [];
  const cspErrors: string[] = [];

  const api = async (path: string, token: string) => {
    const res = await fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
  };
  const days = async (path: string, token: string) => (await api(path, token)).body as Day[];

  const kpi = (id: string) => page.locator(`[data-kpi="${id}"] .kpi-value`).textContent();
  const kpiDetail = (id: string) => page.locator(`[data-kpi="${id}"] .kpi-detail`).textContent();

  /** Waits for the results of one scope and range to be on screen. */
  async function shown(scope: string, since: string, until: string): Promise<void> {
    await page.locator(`.results[data-scope="${scope}"][data-range="${since}..${until}"]`).waitFor();
  }

  async function signIn(token: string): Promise<void> {
    const signOut = page.getByRole("button", { name: "Sign out" });
    if (await signOut.isVisible()) await signOut.click();
    await page.getByLabel("Token").fill(token);
    // Keyboard: Enter submits the form.
    await page.getByLabel("Token").press("Enter");
    await page.locator("[data-login]").waitFor();
  }

  /** Picks a scope (and days, else the form keeps the range shown last) and presses Show. */
  async function choose(
    kind: string,
    owner: string,
    opts: { team?: string; since?: string; until?: string } = {},
  ): Promise<void> {
    await page.getByLabel("Scope", { exact: true }).selectOption(kind);
    await page.getByLabel(/^(Organization|Enterprise \(slug\))$/).fill(owner);
    if (opts.team !== undefined) await page.getByLabel("Team", { exact: true }).fill(opts.team);
    if (opts.since) await page.getByLabel("From", { exact: true }).fill(opts.since);
    if (opts.until) await page.getByLabel("To", { exact: true }).fill(opts.until);
    await page.getByRole("button", { name: "Show" }).click();
  }

  async function expectHeadline(path: string, token: string): Promise<void> {
    const body = await days(path, token);
    const last = body.at(-1)!;
    const c = completions(body);
    expect(await kpi("active-users")).toBe(count(last.total_active_users));
    expect(await kpi("engaged-users")).toBe(count(last.total_engaged_users));
    expect(await kpi("rate-count")).toBe(percent(c.acceptances, c.suggestions));
    expect(await kpiDetail("rate-count")).toBe(
      `${count(c.acceptances)} of ${count(c.suggestions)} suggestions`,
    );
  }

  beforeAll(async () => {
    ensureWebBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await startHarness(backends[0]!, NOW);
    world = buildWorld({ users: 300, seed: "pilotlog", today: NOW.slice(0, 10) });
    await h.apply(JSON.stringify(worldDirectory(world)));
    for (const { events } of simulate(world)) {
      for (let i = 0; i < events.length; i += 5000) {
        const sent = await h.send(world.tokens.relay, events.slice(i, i + 5000));
        if (sent.status !== 202) throw new Error(`ingestion answered ${sent.status}`);
      }
    }
    await h.process();
    browser = await chromium.launch({ executablePath: CHROMIUM });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    page.on("request", (r) => {
      if (!r.url().startsWith(h.url) && !r.url().startsWith("data:")) foreign.push(r.url());
    });
    page.on("console", (m) => {
      if (/content security policy/i.test(m.text())) cspErrors.push(m.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("signs in and shows the largest organization's 28 days as the API answers them, in under a second", async () => {
    await page.goto(h.url);
    await signIn(world.tokens.org_owner);
    expect(await page.locator("[data-login]").textContent()).toBe("demo-core-owner");
    await shown("org:demo-core", addDays(LAST, -27), LAST);
    await expectHeadline("/orgs/demo-core/copilot/metrics", world.tokens.org_owner);
    // Seats and adoption come from the billing route.
    const billing = (await api("/orgs/demo-core/copilot/billing", world.tokens.org_owner)).body as {
      seat_breakdown: { total: number; active_this_cycle: number };
    };
    expect(await kpi("seats-total")).toBe(count(billing.seat_breakdown.total));
    expect(await kpi("adoption")).toBe(
      percent(billing.seat_breakdown.active_this_cycle, billing.seat_breakdown.total),
    );
    // Definitions on hover, in the words of metrics-semantics.md.
    expect(await page.locator('[data-kpi="rate-count"] .term').getAttribute("title")).toMatch(
      /Σ acceptances ÷ Σ suggestions/,
    );
    await expect(
      page.getByRole("img", { name: /Active users and Engaged users per day/ }).count(),
    ).resolves.toBe(1);

    // First render of a reload: the token is in sessionStorage and the view in the address.
    await page.reload();
    await shown("org:demo-core", addDays(LAST, -27), LAST);
    await page.waitForFunction("document.documentElement.dataset.firstRenderMs !== undefined");
    const firstRender = Number(await page.locator("html").getAttribute("data-first-render-ms"));
    // Printed, not asserted: a time depends on the machine's load (times belong in bench/); the behaviour is that
    // the reload renders the view from the address and the stored token alone, checked by shown() above.
    console.log(`dashboard.e2e: first render of demo-core's 28 days after a reload: ${firstRender} ms`);
    expect(Number.isFinite(firstRender)).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-1280x800.png") });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-1280-full.png"), fullPage: true });
  });

  it("switches to a team, shows its missing days as gaps, and to a shorter range", async () => {
    await choose("team", "demo-core", { team: "backend" });
    await shown("team:demo-core / backend", addDays(LAST, -27), LAST);
    const path = "/orgs/demo-core/team/backend/copilot/metrics";
    await expectHeadline(path, world.tokens.org_owner);
    const missing = 28 - (await days(path, world.tokens.org_owner)).length;
    expect(missing).toBeGreaterThan(0);
    expect(await page.locator("[data-note=gaps]").textContent()).toContain(
      `${missing} of 28 days without data`,
    );

    await page.getByRole("button", { name: "Last 7 days" }).click();
    const since = addDays(LAST, -6);
    await shown("team:demo-core / backend", since, LAST);
    await expectHeadline(`${path}?since=${since}&until=${LAST}`, world.tokens.org_owner);
  });

  it("explains a 403 for a missing scope: the organization owner's token on the enterprise", async () => {
    await choose("enterprise", world.enterprise);
    const problem = page.locator('.problem[data-status="403"]');
    await problem.waitFor();
    const answer = await api(`/enterprises/${world.enterprise}/copilot/metrics`, world.tokens.org_owner);
    expect(answer.status).toBe(403);
    const text = (await problem.textContent()) ?? "";
    expect(text).toContain((answer.body as { message: string }).message);
    expect(text).toContain("Missing scope");
    for (const scope of answer.headers.get("x-accepted-oauth-scopes")!.split(", "))
      expect(text).toContain(scope);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-403-1280x800.png") });
  });

  it("shows the enterprise and an enterprise team to the enterprise owner, and explains a 422", async () => {
    await signIn(world.tokens.enterprise_owner);
    const first = addDays(LAST, -27);
    await choose("enterprise", world.enterprise, { since: first, until: LAST });
    await shown(`enterprise:${world.enterprise}`, first, LAST);
    await expectHeadline(`/enterprises/${world.enterprise}/copilot/metrics`, world.tokens.enterprise_owner);

    await choose("enterprise-team", world.enterprise, { team: "platform-guild" });
    await shown(`enterprise-team:${world.enterprise} / platform-guild`, addDays(LAST, -27), LAST);
    await expectHeadline(
      `/enterprises/${world.enterprise}/team/platform-guild/copilot/metrics`,
      world.tokens.enterprise_owner,
    );

    await choose("org", "demo-legacy");
    const problem = page.locator('.problem[data-status="422"]');
    await problem.waitFor();
    expect(await problem.locator("h2").textContent()).toContain("Copilot Metrics API access is disabled");
    expect(await problem.locator("pre").textContent()).toMatch(
      /organizations:\s+- login: demo-legacy\s+copilot_metrics_policy: enabled/,
    );
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-422-1280x800.png") });
  });

  it("explains a 403 for a missing role: a member's token on their organization", async () => {
    await signIn(world.tokens.member);
    const org = world.users[0]!.org;
    await choose("org", org);
    const problem = page.locator('.problem[data-status="403"]');
    await problem.waitFor();
    const answer = await api(`/orgs/${org}/copilot/metrics`, world.tokens.member);
    const text = (await problem.textContent()) ?? "";
    expect(text).toContain((answer.body as { message: string }).message);
    expect(text).toContain("Missing role");
  });

  it("reads at phone width, in dark mode too, and asks no other host for anything", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(world.tokens.org_owner);
    await choose("org", "demo-core", { since: addDays(LAST, -13), until: LAST });
    await shown("org:demo-core", addDays(LAST, -13), LAST);
    // Nothing wider than the screen: tables scroll inside their own box.
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-390x844.png") });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.waitForTimeout(100);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-390x844-dark.png") });
    expect(foreign).toEqual([]);
    expect(cspErrors).toEqual([]);
  });
});

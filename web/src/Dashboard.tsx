import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { type Api, ApiFailure } from "./api.js";
import { servedWindow } from "./dates.js";
import type { Billing, DayMetrics } from "./metrics-types.js";
import { Problem } from "./Problem.js";
import { ReportSection } from "./ReportPanels.js";
import { type Loaded, Results } from "./Results.js";
import { ScopeForm } from "./ScopeForm.js";
import { isEnterpriseKind, metricsPath, scopeName, type View, viewFromHash, viewToHash } from "./scope.js";
import { recent, remember } from "./session.js";

interface Props {
  api: Api;
  orgs: string[];
  onSignOut: () => void;
}

/** The view to start with: the link's hash if any, else the first organization, else a remembered enterprise. */
function initialView(orgs: string[]): View {
  const w = servedWindow();
  const h = viewFromHash(location.hash);
  const r = recent();
  const fallback: View =
    orgs.length === 0 && r.enterprises[0]
      ? { kind: "enterprise", owner: r.enterprises[0], team: "", since: w.first, until: w.last }
      : { kind: "org", owner: orgs[0] ?? r.orgs[0] ?? "", team: "", since: w.first, until: w.last };
  const v = { ...fallback, ...h };
  // A stale link may name days the server no longer serves: keep the range inside the window.
  v.since = v.since < w.first || v.since > w.last ? w.first : v.since;
  v.until = v.until > w.last || v.until < v.since ? w.last : v.until;
  return v;
}

/** Records how long a load took until the browser painted it (read by the end-to-end test and shown in the footer). */
function markRendered(started: number): void {
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      const root = document.documentElement.dataset;
      root.renderMs = String(Math.round(performance.now() - started));
      root.firstRenderMs ??= String(Math.round(performance.now()));
    }),
  );
}

export function Dashboard(props: Props) {
  const { api } = props;
  const [view, setView] = useState<View>(() => initialView(props.orgs));
  const [known, setKnown] = useState(recent);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [busy, setBusy] = useState(false);
  const current = useRef<AbortController | null>(null);
  const started = useRef(0);

  const load = useCallback(
    async (v: View) => {
      current.current?.abort();
      const abort = new AbortController();
      current.current = abort;
      started.current = performance.now();
      setView(v);
      setBusy(true);
      history.replaceState(null, "", viewToHash(v));
      const query = `since=${v.since}&until=${v.until}&per_page=100`;
      // Billing exists for organizations only; its failure (say a 403) must not hide the metrics.
      const billing: Promise<Billing | ApiFailure | null> =
        v.kind === "org"
          ? api
              .get<Billing>(`/orgs/${encodeURIComponent(v.owner)}/copilot/billing`, abort.signal)
              .catch((e: unknown) => (e instanceof ApiFailure ? e : null))
          : Promise.resolve(null);
      try {
        const [days, seats] = await Promise.all([
          api.all<DayMetrics>(`${metricsPath(v)}?${query}`, abort.signal),
          billing,
        ]);
        if (abort.signal.aborted) return;
        setKnown(remember(isEnterpriseKind(v.kind) ? "enterprises" : "orgs", v.owner));
        setFailure(null);
        setLoaded({ view: v, days, billing: seats });
      } catch (e) {
        if (abort.signal.aborted) return;
        const f =
          e instanceof ApiFailure
            ? e
            : new ApiFailure(
                0,
                `The server could not be reached (${String(e)}).`,
                metricsPath(v),
                null,
                null,
                null,
                null,
              );
        // The scope exists (access or policy refused): worth offering again in the list.
        if (f.status === 403 || f.status === 422)
          setKnown(remember(isEnterpriseKind(v.kind) ? "enterprises" : "orgs", v.owner));
        setFailure(f);
        setLoaded(null);
      } finally {
        if (!abort.signal.aborted) setBusy(false);
      }
    },
    [api],
  );

  // The first view loads at once when it names something to show (once: later views load on submit).
  useEffect(() => {
    if (view.owner && (view.kind === "org" || view.kind === "enterprise" || view.team)) void load(view);
    return () => current.current?.abort();
  }, []);

  useEffect(() => {
    if (loaded || failure) markRendered(started.current);
  }, [loaded, failure]);

  return (
    <main id="main">
      <ScopeForm
        api={api}
        window={servedWindow()}
        orgs={props.orgs}
        recent={known}
        view={view}
        busy={busy}
        onShow={(v) => void load(v)}
      />
      <h1 class="visually-hidden">Copilot metrics</h1>
      {/* One short live line, so a screen reader hears that the view changed, not the whole page again. */}
      <p class="visually-hidden" role="status">
        {busy
          ? "Loading…"
          : loaded && !failure
            ? `Showing ${scopeName(loaded.view)}, ${loaded.view.since} to ${loaded.view.until}.`
            : ""}
      </p>
      <div aria-busy={busy} class={busy ? "loading" : undefined}>
        {failure && <Problem f={failure} scope={view} onSignOut={props.onSignOut} />}
        {loaded && !failure && <Results loaded={loaded} />}
        {loaded && !failure && <ReportSection api={api} view={loaded.view} />}
        {!loaded && !failure && !busy && (
          <p class="card muted">
            Choose an organization, team, enterprise or enterprise team, and the days to show. Your token's
            organizations are listed; type an enterprise slug to read an enterprise.
          </p>
        )}
      </div>
    </main>
  );
}

import { useEffect, useRef, useState } from "preact/hooks";
import type { Api } from "./api.js";
import { addDays, type ServedWindow } from "./dates.js";
import { isEnterpriseKind, isTeamKind, KIND_LABELS, type ScopeKind, teamsPath, type View } from "./scope.js";
import type { Recent } from "./session.js";

interface Props {
  api: Api;
  window: ServedWindow;
  /** Organizations of the token's user (GET /user/orgs). */
  orgs: string[];
  recent: Recent;
  view: View;
  busy: boolean;
  onShow: (v: View) => void;
}

const KIND_ORDER: ScopeKind[] = ["org", "team", "enterprise", "enterprise-team"];

/** The scope (kind, organization or enterprise, team) and the day range inside the served window. */
export function ScopeForm(props: Props) {
  const { window: w } = props;
  const [draft, setDraft] = useState<View>(props.view);
  const [teams, setTeams] = useState<string[]>([]);
  const [teamsNote, setTeamsNote] = useState("");
  // The draft follows a view shown since (a submitted or restored one), but not the first view: effects run after
  // the first paint, and resetting then would drop what someone typed before it (a test driving the page at once
  // lost its range that way on a loaded machine).
  const shown = useRef(props.view);
  useEffect(() => {
    if (props.view === shown.current) return;
    shown.current = props.view;
    setDraft(props.view);
  }, [props.view]);

  const ent = isEnterpriseKind(draft.kind);
  const ownerOptions = ent ? props.recent.enterprises : [...new Set([...props.orgs, ...props.recent.orgs])];

  // Offer the teams of the organization or enterprise typed so far (the list needs read:org or read:enterprise).
  useEffect(() => {
    if (!isTeamKind(draft.kind) || !draft.owner.trim()) {
      setTeams([]);
      setTeamsNote("");
      return;
    }
    const abort = new AbortController();
    const timer = setTimeout(() => {
      props.api
        .all<{ slug: string }>(
          `${teamsPath({ ...draft, owner: draft.owner.trim() })}?per_page=100`,
          abort.signal,
        )
        .then((list) => {
          const slugs = list.map((t) => t.slug);
          setTeams(slugs);
          setTeamsNote(slugs.length ? "" : "No teams there.");
          setDraft((d) => (d.team || !slugs[0] ? d : { ...d, team: slugs[0] }));
        })
        .catch((e: unknown) => {
          if (abort.signal.aborted) return;
          setTeams([]);
          setTeamsNote(
            `Could not list the teams (${e instanceof Error ? e.message : String(e)}); type the team slug.`,
          );
        });
    }, 250);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [draft.kind, draft.owner, props.api]);

  const setKind = (kind: ScopeKind) =>
    setDraft((d) => {
      const sameSide = isEnterpriseKind(kind) === isEnterpriseKind(d.kind);
      const owner = sameSide
        ? d.owner
        : ((isEnterpriseKind(kind) ? props.recent.enterprises : props.orgs)[0] ?? "");
      return { ...d, kind, owner, team: sameSide ? d.team : "" };
    });

  const submit = (v: View) => {
    const clean = { ...v, owner: v.owner.trim(), team: v.team.trim() };
    if (!clean.owner || (isTeamKind(clean.kind) && !clean.team)) return;
    props.onShow(clean);
  };

  const preset = (days: number) => {
    const v = { ...draft, since: addDays(w.last, -(days - 1)), until: w.last };
    setDraft(v);
    submit(v);
  };

  const rangeError = draft.since > draft.until ? "The first day must not be after the last day." : "";

  return (
    <form
      class="card scope-form"
      aria-label="Scope and days"
      onSubmit={(e) => {
        e.preventDefault();
        if (!rangeError) submit(draft);
      }}
    >
      <div class="fields">
        <div class="field">
          <label for="scope-kind">Scope</label>
          <select
            id="scope-kind"
            name="kind"
            value={draft.kind}
            onChange={(e) => setKind(e.currentTarget.value as ScopeKind)}
          >
            {KIND_ORDER.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="scope-owner">{ent ? "Enterprise (slug)" : "Organization"}</label>
          <input
            id="scope-owner"
            name="owner"
            list="owner-options"
            required
            autocomplete="off"
            spellcheck={false}
            placeholder={ent ? "e.g. demo-ent" : "e.g. demo-core"}
            value={draft.owner}
            onInput={(e) => setDraft({ ...draft, owner: e.currentTarget.value, team: "" })}
          />
          <datalist id="owner-options">
            {ownerOptions.map((o) => (
              <option key={o} value={o} />
            ))}
          </datalist>
        </div>
        {isTeamKind(draft.kind) && (
          <div class="field">
            <label for="scope-team">Team</label>
            <input
              id="scope-team"
              name="team"
              list="team-options"
              required
              autocomplete="off"
              spellcheck={false}
              value={draft.team}
              aria-describedby="teams-note"
              onInput={(e) => setDraft({ ...draft, team: e.currentTarget.value })}
            />
            <datalist id="team-options">
              {teams.map((t) => (
                <option key={t} value={t} />
              ))}
            </datalist>
          </div>
        )}
        <div class="field">
          <label for="scope-since">From</label>
          <input
            type="date"
            id="scope-since"
            name="since"
            required
            min={w.first}
            max={w.last}
            value={draft.since}
            onInput={(e) => setDraft({ ...draft, since: e.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for="scope-until">To</label>
          <input
            type="date"
            id="scope-until"
            name="until"
            required
            min={w.first}
            max={w.last}
            value={draft.until}
            onInput={(e) => setDraft({ ...draft, until: e.currentTarget.value })}
          />
        </div>
        <button type="submit" class="primary" disabled={props.busy || !!rangeError}>
          {props.busy ? "Loading…" : "Show"}
        </button>
      </div>
      <div class="presets">
        <span class="muted">
          Days are UTC; the server serves {w.first} to {w.last}.
        </span>
        {[7, 14, w.days].map((n) => (
          <button type="button" key={n} onClick={() => preset(n)} disabled={props.busy}>
            {n === w.days ? `All ${n} days` : `Last ${n} days`}
          </button>
        ))}
      </div>
      {(rangeError || teamsNote) && (
        <p class="muted" id="teams-note" role="status">
          {rangeError || teamsNote}
        </p>
      )}
      {ent && props.recent.enterprises.length === 0 && (
        <p class="muted">
          There is no API listing the enterprises of a user: type the enterprise's slug; it is remembered for
          this tab.
        </p>
      )}
    </form>
  );
}

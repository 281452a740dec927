import type { ComponentChildren } from "preact";
import { useMemo } from "preact/hooks";
import { breakdowns, dailySeries, rate, totals } from "./aggregate.js";
import type { ApiFailure } from "./api.js";
import { BreakdownTables } from "./Breakdowns.js";
import { Chart, type LineSeries } from "./Chart.js";
import { shortDay } from "./dates.js";
import type { Term as TermKey } from "./definitions.js";
import { count, percent } from "./format.js";
import type { Billing, DayMetrics } from "./metrics-types.js";
import { Problem } from "./Problem.js";
import { isEnterpriseKind, KIND_LABELS, scopeName, type View } from "./scope.js";
import { Term } from "./Term.js";

export interface Loaded {
  view: View;
  days: DayMetrics[];
  /** Organizations only; a failure is shown in the seats card, the metrics still show. */
  billing: Billing | ApiFailure | null;
}

/** One headline number with its definition. */
export function Kpi(props: { id: string; term: TermKey; label: string; value: string; detail?: string }) {
  return (
    <div class="kpi" data-kpi={props.id}>
      <dt>
        <Term term={props.term}>{props.label}</Term>
      </dt>
      <dd>
        <span class="kpi-value">{props.value}</span>
        {props.detail && <span class="kpi-detail">{props.detail}</span>}
      </dd>
    </div>
  );
}

function Seats(props: { loaded: Loaded; activeLastDay: number | null }) {
  const { view, billing } = props.loaded;
  let body: ComponentChildren;
  if (view.kind !== "org") {
    body = (
      <p class="muted">
        Seat counts come from <code>GET /orgs/{"{org}"}/copilot/billing</code> and exist for whole
        organizations only: choose an organization to see seats and adoption
        {isEnterpriseKind(view.kind) ? "" : ` (${view.owner})`}.
      </p>
    );
  } else if (billing === null) {
    body = <p class="muted">Loading seats…</p>;
  } else if ("seat_breakdown" in billing) {
    const s = billing.seat_breakdown;
    body = (
      <dl class="kpis">
        <Kpi id="seats-total" term="seatsTotal" label="Total seats" value={count(s.total)} />
        <Kpi
          id="seats-active"
          term="seatsActive"
          label="Active this cycle"
          value={count(s.active_this_cycle)}
        />
        <Kpi
          id="seats-inactive"
          term="seatsInactive"
          label="Inactive this cycle"
          value={count(s.inactive_this_cycle)}
        />
        <Kpi
          id="adoption"
          term="adoption"
          label="Adoption"
          value={percent(rate(s.active_this_cycle, s.total))}
          detail="active ÷ total seats"
        />
        <Kpi
          id="active-of-seats"
          term="activeOfSeats"
          label="Active users ÷ seats"
          value={percent(props.activeLastDay == null ? null : rate(props.activeLastDay, s.total))}
          detail="last day with data"
        />
      </dl>
    );
  } else {
    body = <Problem f={billing} scope={view} />;
  }
  return (
    <section class="card" aria-labelledby="seats-h">
      <h2 id="seats-h">
        <Term term="adoption">Seats and adoption</Term>
      </h2>
      {body}
    </section>
  );
}

/** Everything shown for one scope and range: headline numbers, per-day charts, seats, breakdowns. */
export function Results(props: { loaded: Loaded }) {
  const { view, days } = props.loaded;
  const t = useMemo(() => totals(days, view.since, view.until), [days, view]);
  const s = useMemo(() => dailySeries(days, view.since, view.until), [days, view]);
  const b = useMemo(() => breakdowns(days), [days]);
  const charts = useMemo(() => {
    const c = (label: string, values: LineSeries["values"], color: LineSeries["color"]) => ({
      label,
      values,
      color,
    });
    return {
      users: [c("Active users", s.active, 1), c("Engaged users", s.engaged, 2)],
      rate: [c("By count", s.rateByCount, 1), c("By lines", s.rateByLines, 3)],
      counts: [c("Suggestions", s.suggestions, 1), c("Acceptances", s.acceptances, 2)],
      lines: [c("Lines suggested", s.linesSuggested, 1), c("Lines accepted", s.linesAccepted, 2)],
      chat: [
        c("IDE chats", s.ideChats, 1),
        c("github.com chats", s.dotcomChats, 3),
        c("PR summaries", s.prSummaries, 4),
      ],
    };
  }, [s]);

  const last = t.lastDay;
  const ent = view.kind === "enterprise";
  const heading = `${KIND_LABELS[view.kind]} ${scopeName(view)}`;
  return (
    <div
      class="results"
      data-scope={`${view.kind}:${scopeName(view)}`}
      data-range={`${view.since}..${view.until}`}
    >
      <h2 class="scope-heading">
        {heading}{" "}
        <span class="muted">
          {shortDay(view.since)} – {shortDay(view.until)} ({s.days.length} days)
        </span>
      </h2>
      {t.missing.length > 0 && (
        <p class="note" data-note="gaps">
          <Term term="gaps">
            {t.daysWithData === 0
              ? `No data for any of the ${s.days.length} days`
              : `${t.missing.length} of ${s.days.length} days without data`}
          </Term>
          {t.daysWithData === 0 ? ". " : `: ${t.missing.map(shortDay).join(", ")}. `}
          {ent
            ? "No counted user was active on those days (the enterprise has no seat threshold)."
            : "On those days either no counted user was active, or fewer than 5 members held an active Copilot seat at the end of the day (the privacy threshold)."}{" "}
          {t.daysWithData === 0
            ? "Choose a longer range or a larger scope."
            : "They are gaps in the charts, not zeros."}
        </p>
      )}
      {t.daysWithData > 0 && (
        <>
          <dl class="kpis headline">
            <Kpi
              id="active-users"
              term="activeUsers"
              label="Active users"
              value={count(last?.total_active_users)}
              detail={last ? `on ${shortDay(last.date)}` : "no data"}
            />
            <Kpi
              id="engaged-users"
              term="engagedUsers"
              label="Engaged users"
              value={count(last?.total_engaged_users)}
              detail={last ? `on ${shortDay(last.date)}` : "no data"}
            />
            <Kpi
              id="rate-count"
              term="rateByCount"
              label="Acceptance rate"
              value={percent(rate(t.acceptances, t.suggestions))}
              detail={`${count(t.acceptances)} of ${count(t.suggestions)} suggestions`}
            />
            <Kpi
              id="rate-lines"
              term="rateByLines"
              label="Rate by lines"
              value={percent(rate(t.linesAccepted, t.linesSuggested))}
              detail={`${count(t.linesAccepted)} of ${count(t.linesSuggested)} lines`}
            />
            <Kpi
              id="ide-chats"
              term="ideChats"
              label="IDE chats"
              value={count(t.ideChats)}
              detail="in the range"
            />
            <Kpi
              id="dotcom-chats"
              term="dotcomChats"
              label="github.com chats"
              value={count(t.dotcomChats)}
              detail="in the range"
            />
            <Kpi
              id="pr-summaries"
              term="prSummaries"
              label="PR summaries"
              value={count(t.prSummaries)}
              detail="in the range"
            />
            <Kpi
              id="peak-active"
              term="peakActive"
              label="Peak active users"
              value={count(t.peakActive)}
              detail="busiest day"
            />
          </dl>
          <div class="charts">
            <Chart
              title="Active and engaged users per day"
              term="activeUsers"
              days={s.days}
              series={charts.users}
            />
            <Chart
              title="Acceptance rate per day"
              term="rateByCount"
              days={s.days}
              series={charts.rate}
              percent
            />
            <Chart
              title="Suggestions vs acceptances"
              term="suggestions"
              days={s.days}
              series={charts.counts}
            />
            <Chart
              title="Lines suggested vs accepted"
              term="linesSuggested"
              days={s.days}
              series={charts.lines}
            />
            <Chart
              title="Chats and PR summaries per day"
              term="ideChats"
              days={s.days}
              series={charts.chat}
            />
            <Seats loaded={props.loaded} activeLastDay={last?.total_active_users ?? null} />
          </div>
          <BreakdownTables b={b} />
        </>
      )}
    </div>
  );
}

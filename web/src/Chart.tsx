import { useEffect, useId, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Point } from "./aggregate.js";
import { shortDay } from "./dates.js";
import type { Term as TermKey } from "./definitions.js";
import { count, percent } from "./format.js";
import { Term } from "./Term.js";
import { cssVar, useColorScheme } from "./theme.js";

export interface LineSeries {
  label: string;
  values: Point[];
  /** Index into the palette `--series-1` … `--series-4`. */
  color: 1 | 2 | 3 | 4;
}

interface Props {
  title: string;
  term: TermKey;
  days: string[];
  series: LineSeries[];
  /** Values are percentages. */
  percent?: boolean;
}

const HEIGHT = 220;

/** A light band behind each day the API left out, so a gap reads as "no data", not as a drawing glitch. */
function shadeGaps(u: uPlot, gapDays: number[], color: string): void {
  const { ctx, bbox } = u;
  ctx.save();
  ctx.fillStyle = color;
  for (const i of gapDays) {
    const x0 = Math.max(bbox.left, u.valToPos(i - 0.5, "x", true));
    const x1 = Math.min(bbox.left + bbox.width, u.valToPos(i + 0.5, "x", true));
    if (x1 > x0) ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
  }
  ctx.restore();
}

/**
 * A line chart of per-day values (uPlot, canvas): days the API left out are null and drawn as gaps. The canvas
 * is labelled for assistive technology, and the same numbers are in a data table under it.
 */
export function Chart(props: Props) {
  const host = useRef<HTMLDivElement>(null);
  const scheme = useColorScheme();
  const captionId = useId();
  const fmt = props.percent ? percent : count;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const days = props.days;
    const gapDays = days.flatMap((_, i) => (props.series.every((s) => s.values[i] == null) ? [i] : []));
    const axis = {
      stroke: cssVar("--muted"),
      grid: { stroke: cssVar("--grid"), width: 1 },
      ticks: { stroke: cssVar("--grid"), width: 1 },
    };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      // Days are indexes on x: UTC dates with no time zone arithmetic in the browser.
      scales: {
        x: { time: false },
        // Counts and rates start at zero, so that the heights compare honestly.
        y: { range: (_u, _min, max) => [0, max > 0 ? uPlot.rangeNum(0, max, 0.1, true)[1] : 1] },
      },
      axes: [
        {
          ...axis,
          values: (_u, splits) =>
            splits.map((i) => (Number.isInteger(i) && days[i] ? shortDay(days[i]) : "")),
          incrs: [1, 2, 7, 14, 28, 56],
          space: 56,
        },
        {
          ...axis,
          size: 56,
          // Counts step by whole numbers; rates by whole percents.
          incrs: [
            1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6,
            5e6,
          ],
          values: (_u, splits) => splits.map((v) => (props.percent ? `${v}%` : count(v))),
        },
      ],
      cursor: { drag: { x: false, y: false } },
      hooks: { drawClear: [(u) => shadeGaps(u, gapDays, cssVar("--gap"))] },
      legend: { live: true },
      series: [
        { label: "Day", value: (_u, i) => (i == null ? "—" : (days[i] ?? "—")) },
        ...props.series.map((s) => ({
          label: s.label,
          stroke: cssVar(`--series-${s.color}`),
          width: 2,
          spanGaps: false,
          points: { show: true, size: 5 },
          value: (_u: uPlot, v: number | null) => fmt(v),
        })),
      ],
    };
    const data: uPlot.AlignedData = [days.map((_, i) => i), ...props.series.map((s) => s.values)];
    const plot = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.days, props.series, props.percent, scheme, fmt]);

  const gaps = props.series[0]?.values.filter((v) => v === null).length ?? 0;
  const summary = `Line chart: ${props.series.map((s) => s.label).join(" and ")} per day, ${props.days[0]} to ${props.days.at(-1)}${
    gaps ? `; ${gaps} day${gaps > 1 ? "s" : ""} without data shown as gaps` : ""
  }. The data table below has every value.`;

  return (
    <figure class="chart" aria-labelledby={captionId}>
      <figcaption id={captionId}>
        <Term term={props.term}>{props.title}</Term>
      </figcaption>
      <div class="plot" ref={host} role="img" aria-label={summary} />
      <details>
        <summary>Data table</summary>
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{props.title} per day</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                {props.series.map((s) => (
                  <th scope="col" key={s.label}>
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.days.map((d, i) => (
                <tr key={d}>
                  <th scope="row">{d}</th>
                  {props.series.map((s) => (
                    <td key={s.label}>{s.values[i] == null ? "no data" : fmt(s.values[i])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/**
 * Reads a /metrics answer with a real parser of the Prometheus text format (parse-prometheus-text-format, a
 * port of the official Python client's parser), and looks samples up by name and labels.
 */
import { createRequire } from "node:module";

export interface Sample {
  value?: string;
  labels?: Record<string, string>;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}

export interface Family {
  name: string;
  help: string;
  type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
  metrics: Sample[];
}

const parse = createRequire(import.meta.url)("parse-prometheus-text-format") as (text: string) => Family[];

/**
 * The parsed families of a scrape, with lookups that fail loudly when a family is missing.
 *
 * The parser folds a histogram's series into one sample and loses their labels (it handles unlabelled
 * histograms only), so the text is parsed twice: as it is (every line checked, types read), and with the
 * histograms' `# TYPE` lines left out, which makes each `_bucket`, `_sum` and `_count` series a family of its
 * own with its labels, read by `count`.
 */
export class Scrape {
  readonly families: Map<string, Family>;
  private readonly series: Map<string, Family>;

  constructor(readonly text: string) {
    this.families = new Map(parse(text).map((f) => [f.name, f]));
    const histograms = new Set([...text.matchAll(/^# TYPE (\S+) histogram$/gm)].map((m) => m[1]));
    const untyped = text
      .split("\n")
      .filter((l) => !(/^# (TYPE|HELP) /.test(l) && histograms.has(l.split(" ")[2])))
      .join("\n");
    // Series of one histogram alternate (_bucket…, _sum, _count, _bucket…): merge the families of each name.
    this.series = new Map();
    for (const f of parse(untyped)) {
      const seen = this.series.get(f.name);
      if (seen) seen.metrics.push(...f.metrics);
      else this.series.set(f.name, f);
    }
  }

  family(name: string): Family {
    const f = this.families.get(name);
    if (!f) throw new Error(`no metric family ${name} in the scrape`);
    return f;
  }

  /** The sample of `name` whose labels include `labels`, or undefined. */
  sample(name: string, labels: Record<string, string> = {}): Sample | undefined {
    return this.family(name).metrics.find((m) =>
      Object.entries(labels).every(([k, v]) => m.labels?.[k] === v),
    );
  }

  /** The value of a counter or gauge sample (0 when the labelled series does not exist yet). */
  value(name: string, labels: Record<string, string> = {}): number {
    const s = this.families.has(name) ? this.sample(name, labels) : undefined;
    return s?.value === undefined ? 0 : Number(s.value);
  }

  /** The observation count of a histogram's series with these labels (0 when absent). */
  count(name: string, labels: Record<string, string> = {}): number {
    if (this.family(name).type !== "HISTOGRAM") throw new Error(`${name} is not a histogram`);
    const s = this.series
      .get(`${name}_count`)
      ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
    return s?.value === undefined ? 0 : Number(s.value);
  }
}

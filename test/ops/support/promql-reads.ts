/** What a scrape exports: each metric family's type, and the labels of each series it shows. */
export interface Scrape {
  types: Map<string, string>;
  /** Sample name (a histogram's `_bucket`, `_count`, `_sum`) to the label sets of its series. */
  series: Map<string, Record<string, string>[]>;
}

/** Prometheus's own, on every scrape: the `up` series and the target labels it adds to each. */
const PROMETHEUS_SERIES = ['up'];
const TARGET_LABELS = ['job', 'instance'];
/** Operators and keywords of PromQL: an aggregation may take its `by (...)` before its parenthesis. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless']);
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
const SAMPLE_SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_count', '_sum'], summary: ['', '_count', '_sum'] };

/** Parses Prometheus text exposition (one or more scrapes, concatenated). */
export function parseScrape(text: string): Scrape {
  const types = new Map<string, string>();
  const series = new Map<string, Record<string, string>[]>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1], type[2]);
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+/.exec(line);
    if (!sample) continue;
    const labels = Object.fromEntries([...(sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, name, value]) => [name, value]));
    series.set(sample[1], [...(series.get(sample[1]) ?? []), labels]);
  }
  return { types, series };
}

/** Every sample name the scrape's families can show, though a labelled one may show none yet. */
function sampleNames(scrape: Scrape): Set<string> {
  const names = new Set(PROMETHEUS_SERIES);
  for (const [family, type] of scrape.types) for (const suffix of SAMPLE_SUFFIXES[type] ?? ['']) names.add(family + suffix);
  return names;
}

/**
 * What a PromQL expression (Grafana's `$__rate_interval` and variables allowed) reads that the
 * scrape does not export: a series name that is no sample of an exported family (any name, not
 * only ztkeys_*; a gauge has no `_count`), a label (in a matcher or `by (...)`) that none of the
 * series it reads carries, or a value no series of that label shows. Labels and values are checked
 * only against series the scrape shows: a labelled family with none yet is checked by name alone.
 * An expression that reads no series at all is a problem too.
 */
export function unexportedReads(expr: string, scrape: Scrape): string[] {
  const problems: string[] = [];
  const exported = sampleNames(scrape);
  const text = expr.replace(/\$\{?\w+\}?/g, '1m');
  const read: string[] = [];
  const matchers: { series: string; label: string; op: string; value: string }[] = [];
  const grouped: string[] = [];
  // Identifiers, with what follows each: a `(` makes a function or an aggregation, a `{` a selector's matchers.
  for (const match of text.matchAll(/"(?:[^"\\]|\\.)*"|\[[^\]]*\]|\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)|\b([a-zA-Z_:][\w:]*)\s*(\(|\{([^}]*)\})?/g)) {
    const [, grouping, groupLabels, name, after, selector] = match;
    if (grouping) grouped.push(...groupLabels.split(',').map((label) => label.trim()).filter(Boolean));
    if (!name || after === '(' || KEYWORDS.has(name) || AGGREGATIONS.has(name)) continue;
    read.push(name);
    for (const [, label, op, value] of (selector ?? '').matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)) matchers.push({ series: name, label, op, value });
  }
  if (read.length === 0) problems.push('reads no series');
  for (const name of read) if (!exported.has(name)) problems.push(`${name}: no such series`);
  const shown = (name: string) => scrape.series.get(name) ?? [];
  for (const { series, label, op, value } of matchers) {
    const rows = shown(series);
    if (rows.length === 0 || TARGET_LABELS.includes(label)) continue;
    const values = new Set(rows.map((labels) => labels[label]).filter((v) => v !== undefined));
    if (values.size === 0) problems.push(`${series}: no label ${label}`);
    // A value, or alternatives of plain values, is checked; other patterns (`5..`) are not.
    else if (op === '=' || (op === '=~' && /^[\w|]+$/.test(value))) {
      for (const alternative of op === '=' ? [value] : value.split('|')) if (!values.has(alternative)) problems.push(`${series}: no ${label}="${alternative}"`);
    }
  }
  const readRows = read.flatMap(shown);
  for (const label of grouped) {
    if (readRows.length > 0 && !TARGET_LABELS.includes(label) && !readRows.some((labels) => label in labels)) problems.push(`by (${label}): no series read carries it`);
  }
  return problems;
}

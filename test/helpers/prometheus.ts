/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4),
 * as a scraper reads it: every line a comment, a HELP, a TYPE or a sample;
 * names and label names by the grammar; label values with only the three
 * escapes; values as Go floats; samples only of a declared family and of
 * the suffixes its type allows; histogram buckets cumulative up to +Inf
 * equal to _count. Throws on the first violation, naming the line.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: string;
  readonly help?: string;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  counter: ['', '_total', '_created'],
  gauge: [''],
  histogram: ['_bucket', '_sum', '_count', '_created'],
  summary: ['', '_sum', '_count', '_created'],
  untyped: [''],
};

export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families = new Map<string, Family>();
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const fail = (problem: string): never => {
      throw new Error(`line ${index + 1}: ${problem}: ${JSON.stringify(line)}`);
    };
    if (line === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) return;
      const [, keyword, name = '', rest = ''] = match;
      if (!NAME.test(name)) fail('bad metric name');
      const family = families.get(name) ?? { name, type: 'untyped', samples: [] };
      if (keyword === 'TYPE') {
        if (!TYPES.has(rest)) fail('unknown type');
        if (families.has(name) && (families.get(name) as Family).samples.length > 0) fail('TYPE after samples');
        families.set(name, { ...family, type: rest });
      } else {
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) fail('bad escape in HELP');
        families.set(name, { ...family, help: rest });
      }
      return;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line);
    if (!match) return fail('not a sample');
    const [, name = '', labelText = '', valueText = ''] = match;
    const labels = parseLabels(labelText, fail);
    const value = parseValue(valueText, fail);
    const family = [...families.values()].find((f) => (SUFFIXES[f.type] ?? ['']).some((suffix) => `${f.name}${suffix}` === name));
    if (family === undefined) return fail('sample of no declared family');
    family.samples.push({ name, labels, value });
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function parseLabels(text: string, fail: (problem: string) => never): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== '') {
    const match = /^([^=]+)="((?:[^"\\]|\\[\\"n])*)"(,?)/.exec(rest);
    if (!match) return fail('bad label');
    const [whole, name = '', raw = '', comma] = match;
    if (!LABEL_NAME.test(name)) fail(`bad label name ${name}`);
    if (name in labels) fail(`label ${name} twice`);
    labels[name] = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(whole.length);
    if (comma === '' && rest !== '') fail('labels not separated by a comma');
  }
  return labels;
}

/** As Go's strconv.ParseFloat, which Prometheus uses: NaN and Inf in any case (prom-client writes "Nan"). */
function parseValue(text: string, fail: (problem: string) => never): number {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf' || lower === '+infinity' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (lower === 'nan') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail('bad value');
  return Number(text);
}

function checkHistogram(family: Family): void {
  const series = new Map<string, Sample[]>();
  const key = (labels: Readonly<Record<string, string>>) => JSON.stringify(Object.entries(labels).filter(([name]) => name !== 'le').sort());
  for (const sample of family.samples) if (sample.name.endsWith('_bucket')) series.set(key(sample.labels), [...(series.get(key(sample.labels)) ?? []), sample]);
  for (const [labels, buckets] of series) {
    const bounds = buckets.map((b) => (b.labels.le === '+Inf' ? Infinity : Number(b.labels.le)));
    if (bounds.some((b, i) => Number.isNaN(b) || (i > 0 && b <= (bounds[i - 1] as number)))) throw new Error(`${family.name}${labels}: le bounds not increasing`);
    if (bounds.at(-1) !== Infinity) throw new Error(`${family.name}${labels}: no +Inf bucket`);
    if (buckets.some((b, i) => i > 0 && b.value < (buckets[i - 1] as Sample).value)) throw new Error(`${family.name}${labels}: buckets not cumulative`);
    const count = family.samples.find((s) => s.name === `${family.name}_count` && key(s.labels) === labels);
    if (count?.value !== buckets.at(-1)?.value) throw new Error(`${family.name}${labels}: _count differs from the +Inf bucket`);
  }
}

/** The value of the one sample of `name` with exactly these labels (0 when absent: a counter not yet touched). */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name !== name) continue;
      const same = Object.keys(sample.labels).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => sample.labels[k] === v);
      if (same) return sample.value;
    }
  }
  return 0;
}

import { escapeMarkup } from '../model/escape.js';
import type { FeedDayReport, FeedSummary } from './report.js';
import { READER_KINDS, type ReaderKind } from './user-agents.js';

/** How each kind of reader is named on the page. */
const KIND_NAMES: Readonly<Record<ReaderKind, string>> = { hosted: 'Hosted readers', app: 'Reader apps', browser: 'Browsers', crawler: 'Crawlers', unknown: 'No User-Agent' };
/** Feeds drawn in the subscribers chart: more lines than this cannot be told apart. */
const CHART_FEEDS = 8;
/** Colours with at least 3:1 contrast on white (WCAG 1.4.11, non-text contrast), from ECharts' default palette darkened. */
const COLOURS = ['#2f4fb0', '#3d7a1f', '#a15c00', '#b3261e', '#1f6f80', '#6b3fa0', '#8a5a00', '#4a4a4a'];

type ECharts = typeof import('echarts');

/** One chart as an SVG string, drawn by ECharts on the server (no script in the page). */
function chartSvg(echarts: ECharts, label: string, option: Record<string, unknown>): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 760, height: 320 });
  chart.setOption({ animation: false, color: COLOURS, textStyle: { fontFamily: 'system-ui, sans-serif', color: '#222' }, grid: { left: 60, right: 60, top: 50, bottom: 40 }, legend: { top: 10, textStyle: { color: '#222' } }, ...option });
  const svg = chart.renderToSVGString();
  chart.dispose();
  // The figure's caption names the chart; the table below it carries the same figures as text.
  return svg.replace('<svg ', `<svg role="img" aria-label="${escapeMarkup(label)}" `);
}

/**
 * `wirefeed stats --html`: one self-contained page (no script, no request
 * out: styles inline, charts as inline SVG) with subscribers per feed over
 * time, requests and the 304 share per day, and requests by kind of reader,
 * each followed by the figures as a table for screen readers and copying.
 */
export async function renderReportHtml(input: { readonly title: string; readonly from: string; readonly to: string; readonly reports: readonly FeedDayReport[]; readonly feeds: readonly FeedSummary[] }): Promise<string> {
  // Loaded here, not at the top: the server never draws charts, so it never loads ECharts.
  const echarts = await import('echarts');
  const { reports, feeds } = input;
  const days = [...new Set(reports.map((r) => r.day))].sort();
  const shown = feeds.slice(0, CHART_FEEDS).map((f) => f.feed);
  const byDayFeed = new Map(reports.map((r) => [`${r.day}\n${r.feed}`, r]));
  const perDay = days.map((day) => {
    const rows = reports.filter((r) => r.day === day);
    const sum = (pick: (r: FeedDayReport) => number) => rows.reduce((n, r) => n + pick(r), 0);
    const answered = sum((r) => r.ok + r.notModified);
    return { day, requests: sum((r) => r.requests), share: answered === 0 ? 0 : Math.round((1000 * sum((r) => r.notModified)) / answered) / 10, kinds: Object.fromEntries(READER_KINDS.map((k) => [k, sum((r) => r.byKind[k])])) as Record<ReaderKind, number> };
  });
  const subscribers = chartSvg(echarts, 'Subscribers per feed and day', {
    xAxis: { type: 'category', data: days },
    yAxis: { type: 'value', name: 'Subscribers' },
    series: shown.map((feed) => ({ type: 'line', name: feed, data: days.map((day) => byDayFeed.get(`${day}\n${feed}`)?.subscribers ?? null), symbolSize: 6 })),
  });
  const requests = chartSvg(echarts, 'Requests per day and the share answered 304 Not Modified', {
    xAxis: { type: 'category', data: days },
    yAxis: [
      { type: 'value', name: 'Requests' },
      { type: 'value', name: '304 share (%)', min: 0, max: 100 },
    ],
    series: [
      { type: 'bar', name: 'Requests', data: perDay.map((d) => d.requests) },
      { type: 'line', name: '304 share (%)', yAxisIndex: 1, data: perDay.map((d) => d.share), symbolSize: 6 },
    ],
  });
  const kinds = chartSvg(echarts, 'Requests per day by kind of reader', {
    xAxis: { type: 'category', data: days },
    yAxis: { type: 'value', name: 'Requests' },
    series: READER_KINDS.map((k) => ({ type: 'bar', stack: 'kinds', name: KIND_NAMES[k], data: perDay.map((d) => d.kinds[k]) })),
  });
  const e = escapeMarkup;
  const table = (caption: string, head: readonly string[], rows: readonly (readonly (string | number)[])[]) =>
    `<table><caption>${e(caption)}</caption><thead><tr>${head.map((h, i) => `<th scope="col"${i > 0 ? ' class="n"' : ''}>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows
      .map((row) => `<tr>${row.map((cell, i) => (i === 0 ? `<th scope="row">${e(String(cell))}</th>` : `<td class="n">${e(String(cell))}</td>`)).join('')}</tr>`)
      .join('')}</tbody></table>`;
  const percent = (share: number) => `${Math.round(share * 1000) / 10} %`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(input.title)}</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; color: #222; background: #fff; margin: 0; }
main { max-width: 820px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: 1rem 0 0.25rem; }
h2 { font-size: 1.2rem; margin: 2.5rem 0 0.5rem; }
figure { margin: 0; }
svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 0.75rem 0; width: 100%; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.25rem; }
th, td { border-bottom: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; }
.n { text-align: right; font-variant-numeric: tabular-nums; }
p.note { color: #444; font-size: 0.9rem; }
</style>
</head>
<body>
<main>
<h1>${e(input.title)}</h1>
<p>From ${e(input.from)} to ${e(input.to)} (UTC days). Subscribers are what hosted readers report plus distinct reader apps; browsers and crawlers are not subscribers.</p>
<h2>Feeds by subscribers</h2>
${table(`Feeds on ${input.to}, with requests and the 304 share from ${input.from}`, ['Feed', 'Subscribers', 'Hosted', 'Reader apps', 'Requests', '304 share'], feeds.map((f) => [f.feed, f.subscribers, f.hostedSubscribers, f.individual, f.requests, percent(f.notModifiedShare)]))}
<h2>Subscribers per feed over time</h2>
<figure>${subscribers}<figcaption>The ${shown.length} feeds with the most subscribers on the last day.</figcaption></figure>
<h2>Requests and the 304 share</h2>
<figure>${requests}<figcaption>All feeds together. A 304 answers a reader whose copy is current.</figcaption></figure>
${table('Requests per day', ['Day', 'Requests', '304 share'], perDay.map((d) => [d.day, d.requests, `${d.share} %`]))}
<h2>Readers by kind</h2>
<figure>${kinds}<figcaption>Requests by the kind of client that sent them.</figcaption></figure>
${table('Requests per day by kind of reader', ['Day', ...READER_KINDS.map((k) => KIND_NAMES[k])], perDay.map((d) => [d.day, ...READER_KINDS.map((k) => d.kinds[k])]))}
<p class="note">Counted by wirefeed; no client address was stored. Reader apps are estimated with a HyperLogLog sketch (standard error 1.6 %).</p>
</main>
</body>
</html>
`;
}

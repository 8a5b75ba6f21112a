import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { checkGroup, type CheckGroup, type Finding } from './check-records.js';
import { listJsonFiles } from '../load/files.js';
import { ARTICLES_DIR } from '../load/load-data.js';
import { readCommandLine, UsageError, withUsage, type CliIo } from './cli-io.js';

const LINT_USAGE = `usage: wirefeed lint [DIR|FILE…] [--format text|json]

Checks article records and site.json with the server's own rules and prints
every problem as file:line:column: field: problem (warnings say "warning:").
A DIR is a data folder (site.json and articles/) or a folder of records;
without arguments, DATA_DIR (default ./data) is checked.
Exit code: 0 nothing rejected (warnings allowed), 1 something would be rejected, 2 bad command line.`;

/** `wirefeed lint`: the record checker for editors and newsroom CI. */
export function runLint(argv: readonly string[], io: CliIo): Promise<number> {
  return withUsage('lint', LINT_USAGE, io, () => {
    const { values, positionals } = readCommandLine(argv, { format: { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h' } });
    if (values.help) {
      io.stdout(`${LINT_USAGE}\n`);
      return 0;
    }
    if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, got ${JSON.stringify(values.format)}`);
    const targets = positionals.length > 0 ? positionals : [io.env.DATA_DIR ?? './data'];
    const groups = groupsFor(targets, io.cwd);
    const results = groups.map(checkGroup);
    const findings = results.flatMap((r) => r.findings);
    const rejected = results.reduce((sum, r) => sum + r.rejected, 0);
    const files = results.reduce((sum, r) => sum + r.filesChecked, 0);
    const warnings = findings.filter((f) => f.severity === 'warning').length;
    if (values.format === 'json') {
      io.stdout(`${JSON.stringify({ files, rejected, errors: findings.length - warnings, warnings, findings }, null, 2)}\n`);
    } else {
      for (const finding of findings) io.stdout(`${formatFinding(finding)}\n`);
      io.stderr(`wirefeed lint: ${files} file${files === 1 ? '' : 's'} checked, ${rejected} rejected, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
    }
    return rejected > 0 ? 1 : 0;
  });
}

/** `file:line:column: field: problem`, the shape compilers use, so editors and CI annotate the line. */
function formatFinding(finding: Finding): string {
  const where = `${finding.file}:${finding.line}:${finding.column}:`;
  const severity = finding.severity === 'warning' ? ' warning:' : '';
  return `${where}${severity}${finding.field === undefined ? '' : ` ${finding.field}:`} ${finding.problem}`;
}

/**
 * What each argument means: a data folder (it holds site.json or articles/),
 * a folder of records, site.json, or one record. Loose files are checked
 * together, so a duplicate id among them is found too.
 */
function groupsFor(targets: readonly string[], cwd: string): CheckGroup[] {
  const shown = (path: string): string => relative(cwd, path) || '.';
  const groups: CheckGroup[] = [];
  const loose: { path: string; shownAs: string; root: string }[] = [];
  for (const target of targets) {
    const path = resolve(cwd, target);
    if (!existsSync(path)) throw new UsageError(`${target} does not exist`);
    if (statSync(path).isDirectory()) {
      const isDataDir = existsSync(join(path, 'site.json')) || existsSync(join(path, ARTICLES_DIR));
      const recordsDir = isDataDir ? join(path, ARTICLES_DIR) : path;
      const site = join(path, 'site.json');
      groups.push({
        root: path,
        // A data folder without site.json is reported: the server would not start on it.
        ...(isDataDir ? { site: { path: site, shownAs: shown(site) } } : {}),
        records: listJsonFiles(recordsDir).map((name) => ({ path: join(recordsDir, name), shownAs: shown(join(recordsDir, name)) })),
      });
    } else if (basename(path) === 'site.json') {
      groups.push({ root: resolve(path, '..'), site: { path, shownAs: shown(path) }, records: [] });
    } else {
      loose.push({ path, shownAs: shown(path), root: dirname(path) });
    }
  }
  // Loose files share one group (for duplicate ids); each refuses links leading out of its own folder.
  if (loose.length > 0) groups.push({ root: cwd, records: loose.sort((a, b) => (basename(a.path) < basename(b.path) ? -1 : 1)) });
  return groups;
}

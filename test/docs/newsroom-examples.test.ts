import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { hashSecret, type ApiKey } from '../../src/http/api-keys.js';
import { makeRecord } from '../helpers/builders.js';
import { probePostgres } from '../helpers/postgres.js';
import { listen } from '../helpers/server.js';
import { writeBackends } from '../helpers/write-backends.js';

/**
 * Every `curl` example in docs/newsroom-writes.md, run as written (by bash,
 * with the host and the keys substituted) against a server, in the order the
 * page shows them: the status each shows, the headers it names and the
 * `detail` of each error it shows must be what the server answers, so the
 * page never shows a request the server refuses or answers otherwise.
 */
const DOC = join(import.meta.dirname, '..', '..', 'docs', 'newsroom-writes.md');
const DOC_HOST = 'https://feeds.example.org';
const available = await probePostgres();
const curlFound = await promisify(execFile)('curl', ['--version']).then(() => true, () => false);
if (!curlFound && process.env.WIREFEED_REQUIRE_CURL === '1') throw new Error('curl is required (WIREFEED_REQUIRE_CURL=1) and not installed');

const SECRETS = { KEY: 'chief-editor-secret-0123456789abcdef0123456789', EDITOR_KEY: 'chief-editor-secret-0123456789abcdef0123456789', KOREAN_KEY: 'korean-desk-secret-0123456789abcdef0123456789' };
const KEYS: ApiKey[] = [
  { id: 'korean-desk', hash: hashSecret(SECRETS.KOREAN_KEY), services: ['Korean'], delete: false, audit: false },
  { id: 'chief-editor', hash: hashSecret(SECRETS.KEY), delete: true, audit: true },
];

/** One example: the command (continuation lines joined) and the output the page shows under it. */
interface Example {
  readonly command: string;
  readonly shown: readonly string[];
  readonly line: number;
}

/** The examples of the page's `sh` blocks; "# the same request again" repeats the command before it. */
function curlExamples(markdown: string): Example[] {
  const examples: Example[] = [];
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const firstLine = markdown.slice(0, block.index).split('\n').length + 1;
    const lines = (block[1] as string).split('\n');
    let current: { command: string; shown: string[]; line: number } | undefined;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (line.startsWith('$ ')) {
        let command = line.slice(2);
        while (command.endsWith('\\') && i + 1 < lines.length) command = `${command.slice(0, -1)} ${(lines[++i] as string).trim()}`;
        current = { command, shown: [], line: firstLine + i };
        examples.push(current);
      } else if (/^# the same request again/.test(line) && current) {
        current = { command: current.command, shown: [], line: firstLine + i };
        examples.push(current);
      } else if (current && line.trim() !== '' && !line.startsWith('#')) {
        current.shown.push(line);
      }
    }
  }
  return examples.filter((e) => e.command.startsWith('curl '));
}

/** A shown value with `…` as "anything here" (an abbreviated ETag such as `q0N3b2lKx8…` included). */
const shownPattern = (text: string): RegExp => new RegExp(`^${text.split(/[^\s"]*…/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*?')}$`, 's');

describe.each(writeBackends(available))('docs/newsroom-writes.md curl examples on the $name backend', (backend) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('each answers what the page shows', async (ctx) => {
    if (!curlFound) ctx.skip('curl is not installed (WIREFEED_REQUIRE_CURL=1 makes this a failure)');
    const examples = curlExamples(readFileSync(DOC, 'utf8'));
    expect(examples.length).toBeGreaterThanOrEqual(9);
    const story = (id: string, service: string) => makeRecord({ id, service, url: `https://news.example.org/${id}.html`, headline: `Story ${id}` });
    const opened = await backend.open([story('border-trade', 'Korean'), story('budget-vote', 'English')]);
    const server = await listen(createApp({ store: opened.store, log: () => undefined, ingest: { keys: KEYS, maxBytes: 1024 * 1024 } }));
    const work = mkdtempSync(join(tmpdir(), 'wirefeed-examples-'));
    cleanups.push(() => opened.close(), server.close, () => rmSync(work, { recursive: true, force: true }));

    const etags = new Map<string, string>();
    let lastEtag: string | undefined;
    let deleted = false;
    for (const example of examples) {
      const where = `docs/newsroom-writes.md:${example.line}: ${example.command.slice(0, 90)}`;
      // The page's listing shows the story deleted, and its restore brings a deleted story back: delete it before the first listing.
      if (example.command.includes('/versions') && !deleted) {
        expect((await fetch(`${server.url}/api/articles/border-trade`, { method: 'DELETE', headers: { authorization: `Bearer ${SECRETS.KEY}` } })).status).toBe(204);
        deleted = true;
      }
      // The file a PUT sends is an editor's edit of the story: another headline than the stored one.
      for (const [, file] of example.command.matchAll(/@([\w-]+)\.json/g)) writeFileSync(join(work, `${file}.json`), JSON.stringify({ ...story(file as string, 'Korean'), headline: `Edited ${file}` }));
      // An ETag shown with "…" stands for the one the page read before it: the story's ETag when the example was first run.
      const command = example.command.replaceAll(DOC_HOST, server.url).replace(/"[^"\s]*…"/g, (placeholder) => {
        if (!etags.has(placeholder) && lastEtag !== undefined) etags.set(placeholder, lastEtag);
        return etags.get(placeholder) ?? placeholder;
      });
      const { stdout } = await promisify(execFile)('bash', ['-c', command], { cwd: work, env: { ...process.env, ...SECRETS } });
      lastEtag = /^etag: *("[^"]*")/im.exec(stdout)?.[1] ?? lastEtag;

      const shownStatus = example.shown.map((l) => /^HTTP\/1\.1 (\d{3})/.exec(l)?.[1]).find((s) => s !== undefined);
      const actualStatus = /^HTTP\/1\.1 (\d{3})/.exec(stdout)?.[1];
      if (shownStatus !== undefined) expect(actualStatus, where).toBe(shownStatus);
      for (const shown of example.shown) {
        const name = /^([A-Za-z-]+): /.exec(shown)?.[1];
        if (name !== undefined && !shown.startsWith('{')) expect(stdout, `${where}: header ${name}`).toMatch(new RegExp(`^${name}: `, 'im'));
      }
      const shownBody = example.shown.filter((l) => !/^HTTP\/1\.1 /.test(l) && !/^[A-Za-z-]+: /.test(l)).join('\n');
      const body = stdout.slice(stdout.indexOf('{') === -1 ? stdout.length : stdout.indexOf('{'));
      const detail = /"detail":"((?:[^"\\]|\\.)*)"/.exec(shownBody)?.[1];
      if (detail !== undefined) {
        expect((JSON.parse(body) as { detail: string }).detail, where).toMatch(shownPattern(JSON.parse(`"${detail}"`) as string));
      } else if (shownBody !== '') {
        for (const [, key] of shownBody.matchAll(/"(\w+)":/g)) expect(body, `${where}: field ${key}`).toContain(`"${key}":`);
      }
      if (actualStatus === undefined && body !== '') expect((JSON.parse(body) as { status?: number }).status ?? 200, `${where}: ${body.slice(0, 200)}`).toBeLessThan(400);
    }
  }, 120_000);
});

import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, openSync, ftruncateSync, closeSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { loadArticleFile, loadArticleFiles, loadSite } from '../../src/load/load-data.js';
import { readJsonFile } from '../../src/load/files.js';
import { BACKENDS, useBackend, type BackendHarness } from '../helpers/backends.js';
import { listen } from '../helpers/server.js';
import { builtFile } from '../server/build.js';

/**
 * Broken article files never take the service down: each case names the
 * file, field and reason exactly, and every other article is still served
 * through the real app (loaders → snapshot → Express), in every format.
 */
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'broken');
const GOOD = 'tag:news.example.org,2019:good-story';

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A fresh base in a temporary folder: site.json and the one good article; returns its data dir. */
function dataDirFor(): string {
  const root = mkdtempSync(join(tmpdir(), 'wirefeed-broken-'));
  temporary.push(root);
  cpSync(join(FIXTURES, 'empty-file', 'data'), join(root, 'data'), { recursive: true });
  rmSync(join(root, 'data', 'articles', 'empty.json'));
  return join(root, 'data');
}

interface Served {
  readonly ids: string[];
  readonly rejected: string[];
  readonly warnings: string[];
}

/** Opens a data dir on one backend (as main.ts or `wirefeed sync` would) and asks the running app what it serves and what it rejected. */
function servingOn(harness: BackendHarness): (dataDir: string) => Promise<Served> {
  return async (dataDir) => {
    const opened = await harness.openAt(dataDir);
    const app = createApp({ store: opened.store, clock: () => new Date('2026-01-01T00:00:00Z'), production: true, log: () => {} });
    const server = await listen(app);
    try {
      for (const path of ['/rss.xml', '/atom.xml']) expect((await fetch(server.url + path)).status, path).toBe(200);
      const feed = (await (await fetch(`${server.url}/feed.json`)).json()) as { items: { id: string }[] };
      const health = (await (await fetch(`${server.url}/healthz`)).json()) as { rejected: { message: string }[]; warnings: { message: string }[] };
      return { ids: feed.items.map((i) => i.id), rejected: health.rejected.map((r) => r.message), warnings: health.warnings.map((w) => w.message) };
    } finally {
      await server.close();
      await opened.close();
    }
  };
}

describe.each(BACKENDS)('on the $name backend', (backend) => {
  const serve = servingOn(useBackend(backend));

  describe('broken article files (committed fixtures): exact reasons, every other article served', () => {
    const cases: { fixture: string; rejected: string[]; warnings?: string[]; ids?: string[] }[] = [
      { fixture: 'invalid-json', rejected: ["data/articles/broken.json: is not valid JSON at line 4, column 3: Expected ',' or '}' after property value"] },
      {
        fixture: 'wrong-types',
        rejected: [
          'data/articles/wrong-types.json: field "id" must be a string, got number 7',
          'data/articles/wrong-types.json: field "headline" must be a string, got an array',
          'data/articles/wrong-types.json: field "body" must be a string, got an object',
          'data/articles/wrong-types.json: field "published" must be a string, got number 20191028',
          'data/articles/wrong-types.json: field "tags" must be an array, got "Korea"',
          'data/articles/wrong-types.json: field "credits[0].role" must be a string, got number 5',
          'data/articles/wrong-types.json: field "images[0].width" must be a whole number from 1 to 100000, got "800"',
        ],
      },
      {
        fixture: 'missing-required',
        rejected: [
          'data/articles/missing.json: field "url" is required',
          'data/articles/missing.json: field "headline" is required',
          'data/articles/missing.json: field "body" is required',
          'data/articles/missing.json: field "published" is required',
        ],
      },
      { fixture: 'unknown-fields', rejected: [], warnings: ['data/articles/unknown.json: field "colour" is not a known field and was ignored'], ids: [GOOD, 'tag:news.example.org,2019:with-unknown-field'] },
      {
        fixture: 'duplicate-ids',
        rejected: ['data/articles/b-second.json: field "id" "same-id" is already used by data/articles/a-first.json; ids must be unique'],
        ids: [GOOD, 'tag:news.example.org,2019:same-id'],
      },
      { fixture: 'non-utf8', rejected: ['data/articles/latin1.json: is not valid UTF-8 (first bad byte at offset 82)'] },
      { fixture: 'utf8-bom', rejected: [], ids: [GOOD, 'tag:news.example.org,2019:with-bom'] },
      { fixture: 'empty-file', rejected: ['data/articles/empty.json: is empty'] },
      { fixture: 'directory', rejected: ['data/articles/folder.json: is a directory, not an article file'] },
      { fixture: 'not-an-object', rejected: ['data/articles/array.json: must hold one JSON object (an article record), got an array'] },
      // Not broken: tags, section and names with no letter or digit, and markup in a caption, are accepted (issue 11).
      { fixture: 'symbol-metadata', rejected: [], ids: [GOOD, 'tag:news.example.org,2019:symbol-metadata'] },
    ];

    it.each(cases)('$fixture', async ({ fixture, rejected, warnings = [], ids = [GOOD] }) => {
      const root = mkdtempSync(join(tmpdir(), 'wirefeed-broken-'));
      temporary.push(root);
      cpSync(join(FIXTURES, fixture, 'data'), join(root, 'data'), { recursive: true });
      const served = await serve(join(root, 'data'));
      expect(served.rejected).toEqual(rejected);
      expect(served.warnings).toEqual(warnings);
      expect(served.ids.sort()).toEqual([...ids].sort());
    });

    it('the BOM case really starts with a byte order mark and the non-UTF-8 case really holds a Latin-1 byte', () => {
      expect([...readFileSync(join(FIXTURES, 'utf8-bom/data/articles/bom.json')).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(readFileSync(join(FIXTURES, 'non-utf8/data/articles/latin1.json'))[82]).toBe(0xe9);
    });
  });

  describe('broken article files made at test time', () => {
    it('a 100 MB file is refused by its size, without being read into memory', async () => {
      const dataDir = dataDirFor();
      // A sparse file: 100 MB by fstat, no disk used. Reading it would give zeros ("is not valid JSON"), so
      // the size message shows the size was checked first.
      const fd = openSync(join(dataDir, 'articles', 'huge.json'), 'w');
      ftruncateSync(fd, 100 * 1024 * 1024);
      closeSync(fd);
      const before = process.memoryUsage().arrayBuffers;
      const result = readJsonFile(dataDir, join(dataDir, 'articles', 'huge.json'), 'data/articles/huge.json');
      const grown = process.memoryUsage().arrayBuffers - before;
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error.message).toBe('data/articles/huge.json: is 104857600 bytes; the limit is 5242880 bytes');
      expect(grown).toBeLessThan(10 * 1024 * 1024);
      const served = await serve(dataDir);
      expect(served.rejected).toEqual(['data/articles/huge.json: is 104857600 bytes; the limit is 5242880 bytes']);
      expect(served.ids).toEqual([GOOD]);
    });

    it('a field nested 100,000 levels deep is refused naming the limit (it made JSON.stringify overflow the stack)', async () => {
      const dataDir = dataDirFor();
      const good = readFileSync(join(dataDir, 'articles', 'good-story.json'), 'utf8');
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      writeFileSync(join(dataDir, 'articles', 'deep.json'), good.replace('good-story', 'deep-story').replace(/}\s*$/, `, "extra": ${deep}}`));
      const served = await serve(dataDir);
      expect(served.rejected).toEqual(['data/articles/deep.json: nests arrays and objects more than 64 levels deep, the limit']);
      expect(served.ids).toEqual([GOOD]);
    });

    it('60,000 unknown keys give 20 warnings and a count of the rest, and the article is served', async () => {
      const dataDir = dataDirFor();
      const record = JSON.parse(readFileSync(join(dataDir, 'articles', 'good-story.json'), 'utf8')) as Record<string, unknown>;
      for (let i = 0; i < 60_000; i++) record[`x${i}`] = i;
      writeFileSync(join(dataDir, 'articles', 'keys.json'), JSON.stringify({ ...record, id: 'many-keys' }));
      const served = await serve(dataDir);
      expect(served.warnings).toHaveLength(21);
      expect(served.warnings[0]).toBe('data/articles/keys.json: field "x0" is not a known field and was ignored');
      expect(served.warnings[20]).toBe('data/articles/keys.json: has 59980 more warnings not listed (only the first 20 are)');
      expect(served.ids.sort()).toEqual([GOOD, 'tag:news.example.org,2019:many-keys']);
    });

    it('a link to a file outside DATA_DIR is refused; a link inside it is followed', async () => {
      const dataDir = dataDirFor();
      const outside = join(dataDir, '..', 'secret.json');
      writeFileSync(outside, readFileSync(join(dataDir, 'articles', 'good-story.json'), 'utf8').replace('good-story', 'secret-story'));
      symlinkSync(outside, join(dataDir, 'articles', 'evil.json'));
      symlinkSync('/etc/passwd', join(dataDir, 'articles', 'passwd.json'));
      mkdirSync(join(dataDir, 'drafts'));
      writeFileSync(join(dataDir, 'drafts', 'inside.json'), readFileSync(join(dataDir, 'articles', 'good-story.json'), 'utf8').replace('good-story', 'linked-inside'));
      symlinkSync(join('..', 'drafts', 'inside.json'), join(dataDir, 'articles', 'inside.json'));
      const served = await serve(dataDir);
      expect(served.rejected).toEqual([
        'data/articles/evil.json: is a link to a file outside the data directory and was refused',
        'data/articles/passwd.json: is a link to a file outside the data directory and was refused',
      ]);
      expect(served.ids.sort()).toEqual([GOOD, 'tag:news.example.org,2019:linked-inside']);
    });

    it('an articles folder that is itself a link out of DATA_DIR is refused file by file', async () => {
      const dataDir = dataDirFor();
      const elsewhere = mkdtempSync(join(tmpdir(), 'wirefeed-elsewhere-'));
      temporary.push(elsewhere);
      cpSync(join(dataDir, 'articles'), elsewhere, { recursive: true });
      rmSync(join(dataDir, 'articles'), { recursive: true });
      symlinkSync(elsewhere, join(dataDir, 'articles'));
      const site = loadSite(dataDir, { fallbackBaseUrl: 'http://localhost:3000' });
      const [record] = loadArticleFiles(dataDir, site);
      expect(record?.errors.map((e) => e.message)).toEqual(['data/articles/good-story.json: is reached through a link that leads outside the data directory and was refused']);
    });

    it('a dangling link, and a FIFO (which would block a reader forever), are refused with their reason', async () => {
      const dataDir = dataDirFor();
      symlinkSync(join(dataDir, 'articles', 'nowhere.json.bak'), join(dataDir, 'articles', 'dangling.json'));
      execFileSync('mkfifo', [join(dataDir, 'articles', 'pipe.json')]);
      const served = await serve(dataDir);
      expect(served.rejected).toEqual(['data/articles/dangling.json: is a link to a file that does not exist', 'data/articles/pipe.json: is not a regular file']);
      expect(served.ids).toEqual([GOOD]);
    });

    it('a file deleted between listing and reading is reported, not thrown', () => {
      const dataDir = dataDirFor();
      const site = loadSite(dataDir, { fallbackBaseUrl: 'http://localhost:3000' });
      const record = loadArticleFile(dataDir, 'deleted-after-listing.json', site);
      expect(record.article).toBeUndefined();
      expect(record.errors.map((e) => e.message)).toEqual(['data/articles/deleted-after-listing.json: disappeared while it was being read']);
    });

    // Root reads any file whatever its mode, and CI runs as root, so chmod alone proves nothing there. As
    // root the read is done by a child process running as "nobody" (uid 65534) against the built loader.
    it('an unreadable file is refused with "permission denied"', async () => {
      const dataDir = dataDirFor();
      const file = join(dataDir, 'articles', 'locked.json');
      writeFileSync(file, readFileSync(join(dataDir, 'articles', 'good-story.json'), 'utf8').replace('good-story', 'locked'));
      chmodSync(file, 0o000);
      if (process.getuid?.() !== 0) {
        const served = await serve(dataDir);
        expect(served.rejected).toEqual(['data/articles/locked.json: cannot be read (permission denied)']);
        expect(served.ids).toEqual([GOOD]);
        return;
      }
      for (let dir = dataDir; dir !== join(dataDir, '..', '..'); dir = join(dir, '..')) chmodSync(dir, 0o755);
      // The child runs plain JavaScript: the loader compiled by test/server/build.ts.
      const built = builtFile('src/load/files.ts');
      const child = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `const { readJsonFile } = await import(${JSON.stringify(built)}); const r = readJsonFile(${JSON.stringify(dataDir)}, ${JSON.stringify(file)}, 'data/articles/locked.json'); console.log(r.ok ? 'read' : r.error.message);`],
        { uid: 65534, gid: 65534, encoding: 'utf8' },
      );
      expect(child.stderr).toBe('');
      expect(child.stdout.trim()).toBe('data/articles/locked.json: cannot be read (permission denied)');
      // And the service as a whole still serves the good article (as root the locked one is readable).
      expect((await serve(dataDir)).ids).toContain(GOOD);
    });
  });
});

import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ZoneNames } from '../../src/load/dates.js';
import { BodyCache, type BodySource } from '../../src/load/lazy-body.js';
import { loadArticleFile, loadSite } from '../../src/load/load-data.js';
import { createLoadMemo } from '../../src/load/load-memo.js';
import { oneReadReader, RecordFileReader } from '../../src/load/record-file-reader.js';
import { Slugger, slugify } from '../../src/model/slug.js';
import { makeRecord, SITE_RECORD } from '../helpers/builders.js';

/**
 * The memos a load or a store owns (load-memo.ts) instead of module state:
 * each gives the answers of the function it remembers, stays within its
 * bound, and two of them remember apart.
 */
const NAMES = ['Korea', 'North Korea', 'Tag 7', '중국', 'Уйгур', '🚀', '...', 'Border  trade', 'KOREA'];

describe('Slugger', () => {
  it('gives slugify’s answers, the first time and from memory', () => {
    const slugger = new Slugger();
    for (const round of [1, 2]) for (const name of NAMES) expect(slugger.slugify(name), `${name} (round ${round})`).toBe(slugify(name));
    expect(slugger.slugify('North Korea')).toBe('north-korea');
  });

  it('holds at most its limit of names', () => {
    const slugger = new Slugger(8);
    for (let i = 0; i < 100; i++) {
      expect(slugger.slugify(`Tag ${i}`)).toBe(`tag-${i}`);
      expect(slugger.size).toBeLessThanOrEqual(8);
    }
  });

  it('two remember apart', () => {
    const [one, two] = [new Slugger(), new Slugger()];
    NAMES.forEach(one.slugify);
    expect(one.size).toBe(NAMES.length);
    expect(two.size).toBe(0);
  });
});

describe('ZoneNames', () => {
  it('knows IANA zone names and refuses others, as often as asked', () => {
    const zones = new ZoneNames();
    for (const round of [1, 2]) {
      expect(zones.isKnown('Asia/Seoul'), `round ${round}`).toBe(true);
      expect(zones.isKnown('America/New_York'), `round ${round}`).toBe(true);
      expect(zones.isKnown('Mars/Olympus_Mons'), `round ${round}`).toBe(false);
      expect(zones.isKnown('+09:00'), `round ${round}`).toBe(false);
    }
  });

  it('remembers at most its limit of names, and still answers past it', () => {
    const zones = new ZoneNames(5);
    for (let i = 0; i < 20; i++) expect(zones.isKnown(`Nowhere/Place_${i}`)).toBe(false);
    expect(zones.size).toBe(5);
    expect(zones.isKnown('Asia/Seoul')).toBe(true);
  });

  it('two remember apart', () => {
    const [one, two] = [new ZoneNames(), new ZoneNames()];
    one.isKnown('Asia/Seoul');
    expect([one.size, two.size]).toEqual([1, 0]);
  });
});

describe('BodyCache', () => {
  const source = (): BodySource & { readonly n: number } => ({ produce: () => '', n: 0 });
  const article = { url: 'https://news.example.org/a.html', source: 'data/articles/a.json' };

  it('produces a body once while it holds it, and again once it has let go of it (least recently used first)', () => {
    const made: number[] = [];
    const produce = (_a: unknown, s: BodySource) => {
      const { n } = s as BodySource & { readonly n: number };
      made.push(n);
      return `<p>${n}</p>`;
    };
    const cache = new BodyCache(2);
    const through = cache.cached(produce);
    expect(cache.cached(produce)).toBe(through);
    const [a, b, c]: BodySource[] = [1, 2, 3].map((n) => ({ ...source(), n }));
    expect(through(article, a!)).toBe('<p>1</p>');
    expect(through(article, b!)).toBe('<p>2</p>');
    expect(through(article, a!)).toBe('<p>1</p>');
    expect(through(article, c!)).toBe('<p>3</p>'); // b was used least recently: let go
    expect(cache.size).toBe(2);
    expect(through(article, a!)).toBe('<p>1</p>');
    expect(through(article, b!)).toBe('<p>2</p>');
    expect(made).toEqual([1, 2, 3, 2]);
  });

  it('remembers nothing when producing throws (a file changed under a lazily read body)', () => {
    const cache = new BodyCache();
    const through = cache.cached(() => {
      throw new Error('stale');
    });
    expect(() => through(article, source())).toThrow('stale');
    expect(cache.size).toBe(0);
  });

  it('two hold apart', () => {
    const produce = () => '<p>x</p>';
    const [one, two] = [new BodyCache(), new BodyCache()];
    one.cached(produce)(article, source());
    expect([one.size, two.size]).toEqual([1, 0]);
    expect(two.cached(produce)).not.toBe(one.cached(produce));
  });
});

describe('RecordFileReader', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const readWith = (reader: RecordFileReader, name: string, text: string): Buffer => {
    writeFileSync(join(dir, name), text);
    const fd = openSync(join(dir, name), 'r');
    try {
      return reader.readAll(fd, Buffer.byteLength(text));
    } finally {
      closeSync(fd);
    }
  };

  it('reuses one buffer for its reads, and two readers never write into each other’s', () => {
    dir = mkdtempSync(join(tmpdir(), 'wirefeed-reader-'));
    const [one, two] = [new RecordFileReader(), new RecordFileReader()];
    const first = readWith(one, 'a.json', '{"first":1}');
    expect(readWith(one, 'b.json', '{"again":2}').buffer).toBe(first.buffer);
    const mine = readWith(one, 'c.json', '{"mine":3}');
    readWith(two, 'd.json', '{"theirs":4}');
    expect(mine.toString()).toBe('{"mine":3}');
  });

  it('a reader of one file takes a buffer of that file’s size (a small one from node’s shared pool), not 256 KB', () => {
    dir = mkdtempSync(join(tmpdir(), 'wirefeed-reader-'));
    expect(readWith(oneReadReader(), 'a.json', '{"small":true}').buffer.byteLength).toBeLessThanOrEqual(Buffer.poolSize);
    expect(readWith(new RecordFileReader(), 'b.json', '{"small":true}').buffer.byteLength).toBe(256 * 1024);
  });
});

describe('LoadMemo', () => {
  it('each one is its own: no part shared with another', () => {
    const [one, two] = [createLoadMemo(), createLoadMemo()];
    for (const part of ['files', 'slugs', 'zones', 'bodies'] as const) expect(one[part], part).not.toBe(two[part]);
  });

  it('a body read through a store’s memo is remembered there, and only there', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wirefeed-memo-'));
    try {
      writeFileSync(join(dataDir, 'site.json'), JSON.stringify(SITE_RECORD));
      const articles = join(dataDir, 'articles');
      mkdirSync(articles);
      writeFileSync(join(articles, 'a.json'), JSON.stringify(makeRecord({ body: '<p>Hello<script>x()</script></p>' })));
      const site = loadSite(dataDir, { baseUrl: 'https://feeds.example.org', fallbackBaseUrl: 'http://localhost' });
      const [mine, other] = [createLoadMemo(), createLoadMemo()];
      const article = loadArticleFile(dataDir, 'a.json', site, undefined, mine).article;
      expect(article?.body).toBe('<p>Hello</p>');
      expect([mine.bodies.size, other.bodies.size]).toEqual([1, 0]);
      expect(loadArticleFile(dataDir, 'a.json', site).article?.body).toBe('<p>Hello</p>');
      expect([mine.bodies.size, other.bodies.size]).toEqual([1, 0]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

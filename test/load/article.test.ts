import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../src/load/article.js';
import { makeRecord } from '../helpers/builders.js';

const FILE = 'data/articles/x.json';
const parse = (overrides: Record<string, unknown>) => parseArticle(makeRecord(overrides), FILE, { language: 'en' });
const messages = (overrides: Record<string, unknown>) => parse(overrides).errors.map((e) => e.message);

describe('parseArticle', () => {
  it('accepts a complete record and keeps every field', () => {
    const { article, errors, warnings } = parse({});
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(article).toMatchObject({
      id: 'test-story',
      headline: 'Test headline',
      language: 'en',
      section: 'Korea',
      tags: ['Test tag'],
      status: 'published',
      source: FILE,
    });
    expect(article?.credits.map((c) => [c.name, c.role, c.organization, c.slug])).toEqual([
      ['Reporter One', 'reporter', 'the Korean Service', 'reporter-one'],
      ['Translator Two', 'translator', undefined, 'translator-two'],
      ['Writer Three', 'writer', undefined, 'writer-three'],
    ]);
    expect(article?.published.toISOString()).toBe('2024-05-01T01:00:00.000Z');
    expect(article?.updated.toISOString()).toBe('2024-05-01T01:00:00.000Z');
  });

  it('names the file, the field and the problem, and collects every problem in one pass', () => {
    const record = makeRecord({ id: 'Bad Id', url: 'not a url', published: 'yesterday' });
    delete record.headline;
    const result = parseArticle(record, FILE, { language: 'en' });
    expect(result.article).toBeUndefined();
    expect(result.errors.map((e) => e.message)).toEqual([
      `${FILE}: field "id" must be lowercase letters, digits and single '-' between them, got "Bad Id"`,
      `${FILE}: field "url" must be an absolute http or https URL, got "not a url"`,
      `${FILE}: field "headline" is required`,
      `${FILE}: field "published" must be an ISO 8601 date-time with an offset (or a local date-time with "timezone"), or an RFC 2822 date, got "yesterday" (the input "yesterday" can't be parsed as RFC 2822)`,
    ]);
  });

  it.each([
    [{ body: 42 }, 'field "body" must be a string, got number 42'],
    [{ body: '' }, 'field "body" must not be empty'],
    [{ url: 'ftp://example.org/x' }, 'field "url" must be an absolute http or https URL, got "ftp://example.org/x"'],
    [{ language: 'english please' }, 'field "language" must be a language tag such as "en" or "zh-Hans", got "english please"'],
    [{ status: 'live' }, 'field "status" must be "published" or "draft", got "live"'],
    [{ tags: 'a,b' }, 'field "tags" must be an array, got "a,b"'],
    [{ credits: [{ name: 'A', role: 'author' }] }, 'field "credits[0].role" must be one of reporter, writer, translator, editor, photographer, producer, got "author"'],
    [{ credits: [{ role: 'reporter' }] }, 'field "credits[0].name" is required'],
    [{ images: [{ url: 'https://x.org/a' }] }, 'field "images[0].type" is required when the URL does not end in a known image extension (.jpg, .png, .gif, .webp, .avif, .svg), got "https://x.org/a"'],
    [{ images: [{ url: 'https://x.org/a.jpg', width: -1 }] }, 'field "images[0].width" must be a whole number from 1 to 100000, got number -1'],
    [{ images: [{ url: 'https://x.org/a.jpg', type: 'text/html' }] }, 'field "images[0].type" must be an image MIME type such as "image/jpeg", got "text/html"'],
    [{ updated: '2024-04-01T00:00:00Z' }, 'field "updated" must not be earlier than "published"'],
    [{ timezone: 'Mars/Olympus' }, 'field "timezone" must be an IANA time zone name such as "Asia/Seoul", got "Mars/Olympus"'],
    [{ credits: [], creditLine: 'Reported by A.' }, 'field "creditLine" cannot be given together with "credits"; give one of them'],
  ])('rejects %j with a clear message', (overrides, message) => {
    expect(messages(overrides)).toContain(`${FILE}: ${message}`);
  });

  it('rejects a value that is not an object', () => {
    expect(parseArticle([1, 2], FILE, { language: 'en' }).errors.map((e) => e.message)).toEqual([`${FILE}: must hold one JSON object (an article record), got an array`]);
  });

  it('warns about unknown fields but keeps the article', () => {
    const result = parse({ kicker: 'x' });
    expect(result.article).toBeDefined();
    expect(result.warnings.map((w) => w.message)).toEqual([`${FILE}: field "kicker" is not a known field and was ignored`]);
  });

  it('defaults language from the site and status to published; derives image types from extensions', () => {
    const record = makeRecord({ images: [{ url: 'https://x.org/photo.JPG' }, { url: 'https://x.org/p.webp?w=2' }] });
    delete record.language;
    const { article } = parseArticle(record, FILE, { language: 'ko' });
    expect(article?.language).toBe('ko');
    expect(article?.status).toBe('published');
    expect(article?.images.map((i) => i.type)).toEqual(['image/jpeg', 'image/webp']);
  });

  it('reads a credit line into structured credits with slugs', () => {
    const { article, errors } = parse({ credits: undefined, creditLine: '  Reported by Ana Lee and Bo Kim for the Korean Service.  Translated by Cy Park. Written in English by Dee Roe' });
    expect(errors).toEqual([]);
    expect(article?.credits).toEqual([
      { name: 'Ana Lee', role: 'reporter', organization: 'the Korean Service', slug: 'ana-lee' },
      { name: 'Bo Kim', role: 'reporter', organization: 'the Korean Service', slug: 'bo-kim' },
      { name: 'Cy Park', role: 'translator', slug: 'cy-park' },
      { name: 'Dee Roe', role: 'writer', slug: 'dee-roe' },
    ]);
  });

  it('reports an unreadable credit line with the text it could not read', () => {
    expect(messages({ credits: undefined, creditLine: 'Lunch was provided by Bo.' })).toEqual([
      `${FILE}: field "creditLine" could not be read as credits: "Lunch was provided by Bo." is not "Reported by …", "Written by …", "Translated by …", "Edited by …", "Photos by …" or "Produced by …"`,
    ]);
  });

  it('removes characters XML cannot carry and folds white space in single-line fields', () => {
    const { article } = parse({ headline: ' Head\u0000line\u0007 with\n\ttabs \uFFFE', summary: 'line one\nline\u0001 two\uD800' });
    expect(article?.headline).toBe('Headline with tabs');
    expect(article?.summary).toBe('line one\nline two');
  });

  it('sanitises the body and makes its links absolute against the article URL', () => {
    const { article } = parse({
      url: 'https://news.example.org/korean/2024/story.html',
      body: '<p onclick="x()">Hi <a href="../other.html">link</a> <a href="javascript:alert(1)">bad</a></p><script>alert(1)</script><img src="/img/a.png" onerror="x()"><iframe src="https://evil.example/x"></iframe><style>p{}</style><iframe src="https://www.youtube.com/embed/x" title="Harbor at dawn"></iframe><iframe src="http://www.youtube.com/embed/y"></iframe>',
    });
    expect(article?.body).toBe('<p>Hi <a href="https://news.example.org/korean/other.html">link</a> <a>bad</a></p><img src="https://news.example.org/img/a.png" /><a href="https://www.youtube.com/embed/x">Harbor at dawn</a>');
  });

  it('drops duplicate tags (same slug) and keeps the first spelling', () => {
    expect(parse({ tags: ['North Korea', 'north korea', 'NORTH-KOREA', 'Other'] }).article?.tags).toEqual(['North Korea', 'Other']);
  });
});

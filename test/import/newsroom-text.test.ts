import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../src/load/article.js';
import { agencyIn, deriveId, headlineSlug, imageUrl, parseNewsroomText, toArticleRecord, type ImportOptions } from '../../src/cli/newsroom-text.js';

const FIXTURES = new URL('../fixtures/newsroom-text/', import.meta.url);

function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

const OPTIONS: ImportOptions = {
  url: 'https://news.example.org/stories/a.html',
  published: '2021-03-04T09:00:00+09:00',
  mediaBase: 'https://media.example.org/images',
};

/** Imports a fixture the way the CLI does, and checks the record is one the server accepts. */
function importFixture(name: string, options: Partial<ImportOptions> = {}) {
  const story = parseNewsroomText(fixture(name));
  const { record, errors } = toArticleRecord(story, { ...OPTIONS, ...options });
  const validated = parseArticle(record, `data/articles/${name}.json`, { language: 'en' });
  return { story, record, errors, validated };
}

describe('parseNewsroomText on newsroom-shaped fixtures', () => {
  it('two reporters for a service, image caption on the same line with "released by", WhatsApp debris, comment notice', () => {
    const { story, record, errors, validated } = importFixture('two-reporters-released-by.txt', { service: 'Uyghur', section: 'Fisheries' });
    expect(errors).toEqual([]);
    expect(validated.errors).toEqual([]);
    expect(story.warnings).toEqual([]);
    expect(story.removed).toEqual({ shareButtons: 2, commentNotice: true, afterCommentNotice: 1 });
    expect(record.id).toBe('2021-03-fishermen-say-new-quotas-empty-the-northern-harbor');
    expect(record.headline).toBe('Fishermen Say New Quotas Empty the Northern Harbor');
    expect(record.url).toBe('https://news.example.org/stories/a.html');
    expect(record.published).toBe('2021-03-04T09:00:00+09:00');
    expect(record.service).toBe('Uyghur');
    expect(record.section).toBe('Fisheries');
    expect(record.status).toBe('published');
    expect(record.images).toEqual([
      {
        url: 'https://media.example.org/images/harbor-boats-idle-2021-crop.jpg',
        caption: 'This photo released by Provincial Press Office on March 3, 2021 shows fishing boats tied up at the northern harbor.',
        credit: 'Provincial Press Office',
      },
    ]);
    expect(record.credits).toEqual([
      { name: 'Aziz Tursun', role: 'reporter', organization: 'the Uyghur Service' },
      { name: 'Gulnar Ismail', role: 'reporter', organization: 'the Uyghur Service' },
      { name: 'Mehmet Sabir', role: 'translator' },
      { name: 'Clara Voss', role: 'writer' },
    ]);
    const body = record.body as string;
    expect(body.match(/<p>/g)).toHaveLength(4);
    expect(body.startsWith('<p>Dozens of fishing crews')).toBe(true);
    expect(body.endsWith('reviewed in the autumn.</p>')).toBe(true);
    for (const debris of ['Share on', 'harbor-boats-idle', 'Add your comment', 'Reported by', 'Comments will not appear']) expect(body).not.toContain(debris);
    expect(validated.article?.credits.map((c) => c.slug)).toEqual(['aziz-tursun', 'gulnar-ismail', 'mehmet-sabir', 'clara-voss']);
    expect(validated.article?.images[0]?.type).toBe('image/jpeg');
  });

  it('CRLF file: caption on the next line, image with an extension, Facebook/Twitter/X/Email/Print debris, three reporters, no final period', () => {
    const text = fixture('caption-next-line-crlf.txt');
    expect(text).toContain('\r\n'); // the fixture must really have CRLF line endings
    const { story, record, errors, validated } = importFixture('caption-next-line-crlf.txt');
    expect(errors).toEqual([]);
    expect(validated.errors).toEqual([]);
    expect(story.warnings).toEqual([]);
    expect(story.removed).toEqual({ shareButtons: 4, commentNotice: true, afterCommentNotice: 3 });
    expect(story.image).toMatchObject({ name: 'harbor-ferry-dock-2020.png', line: 7 });
    expect(record.images).toEqual([
      { url: 'https://media.example.org/images/harbor-ferry-dock-2020.png', caption: 'Passengers wait for the morning ferry at the lake terminal.' },
    ]);
    expect(validated.article?.images[0]?.type).toBe('image/png');
    expect(record.credits).toEqual([
      { name: 'Lin Wei', role: 'reporter', organization: 'the Mandarin Service' },
      { name: 'Zhao Min', role: 'reporter', organization: 'the Mandarin Service' },
      { name: 'Peter Hall', role: 'reporter', organization: 'the Mandarin Service' },
      { name: 'Tom Berg', role: 'editor' },
    ]);
    expect(record.body).toBe(
      [
        '<p>The ferry between the two lake towns carried its first passengers on Monday since the route was closed for repairs.</p>',
        '<p>Residents said the crossing saves them three hours compared with the mountain road.</p>',
        '<p>“My children can visit on weekends again,” said a shop owner in the eastern town.</p>',
      ].join('\n'),
    );
    expect(record.body).not.toContain('\r');
  });

  it('gives the same story for LF and CRLF versions of a text', () => {
    const lf = fixture('two-reporters-released-by.txt');
    expect(parseNewsroomText(lf.replace(/\n/g, '\r\n'))).toEqual(parseNewsroomText(lf));
  });

  it('no image: writer, photographer and producer credits; an unrecognised line is kept and named', () => {
    const { story, record, errors, validated } = importFixture('no-image-other-roles.txt', { mediaBase: undefined });
    expect(errors).toEqual([]);
    expect(validated.errors).toEqual([]);
    expect(story.image).toBeUndefined();
    expect(record.images).toBeUndefined();
    expect(record.headline).toBe('Night Market Vendors Move to New Riverside Site');
    expect(story.removed.shareButtons).toBe(2);
    expect(record.credits).toEqual([
      { name: 'Ana Ruiz', role: 'writer' },
      { name: 'Sun Park', role: 'photographer' },
      { name: 'Mia Chen', role: 'producer' },
    ]);
    expect(story.paragraphs).toHaveLength(4);
    expect(record.body).toContain('<p>Related stories</p>');
    expect(story.warnings).toEqual(['line 8: "Related stories" was not recognised (it does not end like a sentence); kept as a paragraph']);
  });

  it('non-Latin headline: id from a short hash, Korean text and names kept byte for byte', () => {
    const { story, record, errors, validated } = importFixture('korean-headline.txt', { language: 'ko' });
    expect(errors).toEqual([]);
    expect(validated.errors).toEqual([]);
    expect(record.headline).toBe('항구 마을에 새 도서관 문 열어');
    expect(record.id).toMatch(/^2021-03-[0-9a-f]{10}$/);
    expect(record.id).toBe(deriveId('항구 마을에 새 도서관 문 열어', '2021-03-04T09:00:00+09:00'));
    expect(record.language).toBe('ko');
    expect(story.removed.shareButtons).toBe(2); // KakaoTalk and Facebook
    expect(record.images).toEqual([
      { url: 'https://media.example.org/images/harbor-library-opening-2022.jpg', caption: '개관식에 참석한 주민들이 도서관 입구에 모여 있다.' },
    ]);
    expect(record.credits).toEqual([
      { name: '박민서', role: 'reporter', organization: 'the Korean Service' },
      { name: 'Joon Bae', role: 'translator' },
    ]);
    expect(record.body).toContain('<p>한 주민은 “아이들이 주말에 갈 곳이 생겼다”고 말했다.</p>');
    expect(validated.article?.credits[0]?.slug).toBe('박민서');
  });

  it('producers and photographer, an agency with "and" in its name, debris after the credit line, and text after it named', () => {
    const { story, record, errors, validated } = importFixture('trailing-text-ministry.txt');
    expect(errors).toEqual([]);
    expect(validated.errors).toEqual([]);
    expect(story.removed).toEqual({ shareButtons: 3, commentNotice: false, afterCommentNotice: 0 });
    expect(record.images).toEqual([
      {
        url: 'https://media.example.org/images/tasks-temple-bell-return_2023.jpg',
        caption: 'The bell arrives at the temple in a picture released by the Ministry of Culture and Tourism, which funded its restoration.',
        credit: 'Ministry of Culture and Tourism',
      },
    ]);
    expect(record.credits).toEqual([
      { name: 'Mia Chen', role: 'producer' },
      { name: 'Tom Berg', role: 'producer' },
      { name: 'Sun Park', role: 'photographer' },
    ]);
    expect(story.warnings).toEqual(['line 13: "Copyright © 2023 Harbor Light News. All rights reserved." comes after the credit line; kept at the end of the body']);
    expect((record.body as string).endsWith('<p>Copyright © 2023 Harbor Light News. All rights reserved.</p>')).toBe(true);
  });

  it('an unreadable credit line is an error naming the unparsed text', () => {
    const story = parseNewsroomText(fixture('unparseable-credit.txt'));
    expect(story.errors).toEqual([
      'line 8: the credit line could not be read: "Copyedited by Tom Berg." is not "Reported by …", "Written by …", "Translated by …", "Edited by …", "Photos by …" or "Produced by …" (in "Reported by Hana Seo. Copyedited by Tom Berg.")',
    ]);
    expect(story.credits).toEqual([]);
  });

  it('escapes markup in paragraphs', () => {
    const story = parseNewsroomText('Headline\n\nAT&T said <b>no</b> to "Q3".\n\nReported by Hana Seo.');
    expect(toArticleRecord(story, OPTIONS).record.body).toBe('<p>AT&amp;T said &lt;b&gt;no&lt;/b&gt; to &quot;Q3&quot;.</p>');
  });

  it('reports an empty text and a text with only a headline', () => {
    expect(parseNewsroomText('\n\n  \nAdd your comment by filling out the form below.\nHeadline').errors).toEqual([
      'the text has no headline (it is empty before the comment-form notice)',
    ]);
    expect(parseNewsroomText('Only a headline\nShare on WhatsApp\n').errors).toEqual(['the text has no body paragraphs']);
  });

  it('a lone image name followed by a blank line has no caption', () => {
    const story = parseNewsroomText('Headline\n\nriver-bank-2020\n\nThe river rose overnight.\n\nReported by Hana Seo.');
    expect(story.image).toEqual({ name: 'river-bank-2020', line: 3 });
    expect(story.paragraphs).toEqual(['The river rose overnight.']);
  });

  it('an image without a media base is an error naming both ways to give one', () => {
    const story = parseNewsroomText(fixture('two-reporters-released-by.txt'));
    const { errors } = toArticleRecord(story, { url: OPTIONS.url, published: OPTIONS.published });
    expect(errors).toEqual([
      'the story has an image ("harbor-boats-idle-2021-crop", line 5) but no media base is known: give --media-base or set "mediaBase" in site.json',
    ]);
  });
});

describe('share-button debris', () => {
  it.each([
    'Share on WhatsApp', 'Share on Facebook', 'Share on Twitter', 'Share on X', 'Share on Twitter/X', 'Share on Telegram', 'Email', 'E-mail this story',
    'Print', 'Print this page', 'Share', 'Tweet', 'Facebook | Twitter | Email', 'Share on Telegram · Share on LinkedIn', 'share via e-mail', 'Copy link',
  ])('%j is removed', (line) => {
    const story = parseNewsroomText(`Headline\n${line}\nThe river rose overnight.\nReported by Hana Seo.`);
    expect(story.removed.shareButtons).toBe(1);
    expect(story.paragraphs).toEqual(['The river rose overnight.']);
  });

  it.each(['Share prices fell sharply on Monday.', 'Facebook removed the page after complaints.', 'Print editions were delayed.'])('%j is a paragraph', (line) => {
    const story = parseNewsroomText(`Headline\n${line}\nReported by Hana Seo.`);
    expect(story.removed.shareButtons).toBe(0);
    expect(story.paragraphs).toEqual([line]);
  });
});

describe('helpers', () => {
  it('headlineSlug: ASCII, apostrophes dropped, accents folded, cut at a word within 60 characters', () => {
    expect(headlineSlug('Mayor’s Plan: Café Owners Say “No”')).toBe('mayors-plan-cafe-owners-say-no');
    const long = headlineSlug('Inspectors Sweep Border Towns for Unregistered Phones as Traders Go Into Hiding Along the River');
    expect(long).toBe('inspectors-sweep-border-towns-for-unregistered-phones-as');
    expect(long.length).toBeLessThanOrEqual(60);
    expect(headlineSlug('新图书馆在港口开放')).toMatch(/^[0-9a-f]{10}$/);
    expect(headlineSlug('新图书馆在港口开放')).not.toBe(headlineSlug('新图书馆在港口关闭'));
    expect(headlineSlug('!!!')).toMatch(/^[0-9a-f]{10}$/);
  });

  it('deriveId: the month as the newsroom wrote it, in ISO, local-with-zone and RFC 2822 dates', () => {
    expect(deriveId('Flood Warning', '2019-10-31T23:30:00-04:00')).toBe('2019-10-flood-warning');
    expect(deriveId('Flood Warning', '2019-11-01T08:00:00', 'Asia/Seoul')).toBe('2019-11-flood-warning');
    expect(deriveId('Flood Warning', 'Thu, 31 Oct 2019 23:30:00 -0400')).toBe('2019-10-flood-warning');
    expect(deriveId('Flood Warning', 'yesterday')).toBeUndefined();
  });

  it('imageUrl joins with or without a trailing slash and adds .jpg only when there is no extension', () => {
    expect(imageUrl('https://media.example.org/images', 'river-2019-crop')).toBe('https://media.example.org/images/river-2019-crop.jpg');
    expect(imageUrl('https://media.example.org/images/', 'river.webp')).toBe('https://media.example.org/images/river.webp');
  });

  it('agencyIn reads "released by" and "courtesy of", and nothing from other captions', () => {
    expect(agencyIn('This undated picture released by State News Agency on May 2, 2020 shows a parade.')).toBe('State News Agency');
    expect(agencyIn('A photo released by the Harbor Authority.')).toBe('Harbor Authority');
    expect(agencyIn('Photo courtesy of Lake Museum')).toBe('Lake Museum');
    expect(agencyIn('Boats at the harbor in March.')).toBeUndefined();
  });
});

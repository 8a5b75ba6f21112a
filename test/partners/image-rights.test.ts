import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../src/load/article.js';
import { maySyndicate } from '../../src/model/image-rights.js';
import { parseDelay } from '../../src/partners/partner.js';
import { withoutImages } from '../../src/partners/syndicated-article.js';
import { makeRecord, makeSite } from '../helpers/builders.js';
import { SAMPLE_DIR } from '../helpers/sample.js';

const ajv = new Ajv2020.default({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateRecord = ajv.compile(JSON.parse(readFileSync(join(SAMPLE_DIR, 'article.schema.json'), 'utf8')));
const validateSite = ajv.compile(JSON.parse(readFileSync(join(SAMPLE_DIR, 'site.schema.json'), 'utf8')));

describe('whether a picture may be passed on', () => {
  it.each([
    ['KCNA via AFP', undefined, false],
    ['afp', undefined, false],
    ['Jung Yeon-je/AFP', undefined, false],
    ['AFPX Media', undefined, true],
    ['Korean Service', undefined, true],
    [undefined, undefined, true],
    ['AFP', { syndicate: true }, true],
    ['Korean Service', { syndicate: false }, false],
    ['AFP', { terms: 'Editorial use only.' }, false],
  ])('credit %j with rights %j: %s', (credit, rights, expected) => {
    expect(maySyndicate({ ...(credit === undefined ? {} : { credit }), ...(rights === undefined ? {} : { rights }) }, ['AFP', 'Reuters'])).toBe(expected);
  });

  it('matches an agency of several words as a phrase', () => {
    expect(maySyndicate({ credit: 'By Associated Press' }, ['Associated Press'])).toBe(false);
    expect(maySyndicate({ credit: 'Press Associated' }, ['Associated Press'])).toBe(true);
  });
});

describe('image rights in records and site.json', () => {
  it('are read, and the schema agrees with the loader on good and bad ones', () => {
    const good = makeRecord({ images: [{ url: 'https://media.example.org/a.jpg', credit: 'AFP', rights: { syndicate: true, terms: 'With credit.' } }] });
    expect(validateRecord(good)).toBe(true);
    expect(parseArticle(good, 'x.json', { language: 'en' }).article?.images[0]?.rights).toEqual({ syndicate: true, terms: 'With credit.' });
    for (const rights of [{ syndicate: 'yes' }, { licence: 'x' }, 'all rights reserved']) {
      const bad = makeRecord({ images: [{ url: 'https://media.example.org/a.jpg', rights }] });
      expect(validateRecord(bad), JSON.stringify(rights)).toBe(false);
      const { errors } = parseArticle(bad, 'x.json', { language: 'en' });
      const warnings = parseArticle(bad, 'x.json', { language: 'en' }).warnings;
      expect([...errors, ...warnings].map((e) => e.field).join(' '), JSON.stringify(rights)).toMatch(/images\[0\]\.rights/);
    }
  });

  it('site.json takes agencies and publicImages, and refuses bad ones', () => {
    expect(makeSite({ agencies: ['AFP', 'Yonhap'], publicImages: 'licensed' })).toMatchObject({ agencies: ['AFP', 'Yonhap'], publicImages: 'licensed' });
    expect(validateSite({ title: 'x', link: 'https://x.org/', agencies: ['AFP'], publicImages: 'licensed' })).toBe(true);
    expect(() => makeSite({ agencies: 'AFP' })).toThrow(/agencies/);
    expect(() => makeSite({ publicImages: 'some' })).toThrow(/publicImages/);
  });
});

describe('a body without pictures', () => {
  const photo = 'https://media.example.org/a.jpg';
  const other = 'https://media.example.org/b.jpg';
  const body = `<p>One</p><figure><img src="${photo}" alt="" /><figcaption>By AFP</figcaption></figure><p><img src="${other}" alt="" /> and <a href="${photo}">the photo</a></p>`;

  it('loses the refused picture with its figure and caption, and the link to it, keeping the rest as it was', () => {
    expect(withoutImages(body, new Set([photo]))).toBe(`<p>One</p><p><img src="${other}" alt="" /> and the photo</p>`);
  });

  it('loses every picture when asked', () => {
    expect(withoutImages(body, new Set([photo]), true)).toBe('<p>One</p><p> and the photo</p>');
  });
});

describe('delays', () => {
  it.each([
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1d12h', 129_600_000],
    ['45s', 45_000],
    ['soon', undefined],
    ['30', undefined],
    ['400d', undefined],
  ])('%s is %s ms', (text, ms) => {
    expect(parseDelay(text)).toBe(ms);
  });
});

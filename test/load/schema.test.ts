import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../src/load/article.js';
import { makeRecord } from '../helpers/builders.js';
import { SAMPLE_DIR, sampleRecords } from '../helpers/sample.js';

const ajv = new Ajv2020.default({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateRecord = ajv.compile(JSON.parse(readFileSync(join(SAMPLE_DIR, 'article.schema.json'), 'utf8')));
const validateSite = ajv.compile(JSON.parse(readFileSync(join(SAMPLE_DIR, 'site.schema.json'), 'utf8')));

/** The published JSON Schema and the loader must agree, so partners can validate before they send. */
describe('data/article.schema.json', () => {
  it('accepts every sample record and site.json', () => {
    for (const [id, record] of sampleRecords()) expect(validateRecord(record), `${id}: ${JSON.stringify(validateRecord.errors)}`).toBe(true);
    expect(validateSite(JSON.parse(readFileSync(join(SAMPLE_DIR, 'site.json'), 'utf8')))).toBe(true);
  });

  it.each([
    ['missing headline', { headline: undefined }],
    ['bad id', { id: 'Not OK' }],
    ['relative url', { url: '/story.html' }],
    ['unknown role', { credits: [{ name: 'A', role: 'boss' }] }],
    ['bad status', { status: 'live' }],
    ['both credits and creditLine', { creditLine: 'Reported by A.' }],
    ['bad image type', { images: [{ url: 'https://x.org/a.jpg', type: 'text/html' }] }],
  ])('rejects what the loader rejects: %s', (_name, overrides) => {
    const record = JSON.parse(JSON.stringify(makeRecord(overrides)));
    expect(validateRecord(record)).toBe(false);
    expect(parseArticle(record, 'x.json', { language: 'en' }).errors.length).toBeGreaterThan(0);
  });
});

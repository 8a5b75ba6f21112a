import type { Site } from '../model/types.js';
import { SiteError } from './errors.js';
import { FieldReader } from './fields.js';

const SITE_FIELDS = ['$schema', 'title', 'description', 'link', 'baseUrl', 'language', 'copyright', 'icon', 'logo', 'feedSize', 'idAuthority', 'mediaBase', 'agencies', 'publicImages'];
const ID_AUTHORITY = /^[a-z0-9.-]+,\d{4}(?:-\d{2}(?:-\d{2})?)?$/;

export interface SiteOverrides {
  /** SITE_URL: wins over site.json's baseUrl. */
  readonly baseUrl?: string;
  /** Used when neither SITE_URL nor baseUrl is given. */
  readonly fallbackBaseUrl: string;
}

/**
 * Validates site.json. Unlike an article, a bad site file stops the server:
 * every feed depends on it. All problems are listed in one SiteError.
 */
export function parseSite(raw: unknown, file: string, overrides: SiteOverrides): Site {
  const problems: string[] = [];
  const report = (field: string, problem: string): void => void problems.push(`field "${field}" ${problem}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SiteError(file, ['must hold one JSON object']);
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!SITE_FIELDS.includes(key)) report(key, `is not a site field (${SITE_FIELDS.slice(1).join(', ')})`);
  const fields = new FieldReader(record, report);
  const title = fields.line('title', true, 500);
  const description = fields.line('description', false, 5000) ?? '';
  const link = fields.url('link', true);
  const baseUrl = overrides.baseUrl ?? fields.url('baseUrl', false)?.replace(/\/+$/, '') ?? overrides.fallbackBaseUrl;
  const language = fields.line('language', false, 35) ?? 'en';
  if (!/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/.test(language)) report('language', `must be a language tag such as "en", got ${JSON.stringify(language)}`);
  const copyright = fields.line('copyright', false, 1000);
  const icon = fields.url('icon', false);
  const logo = fields.url('logo', false);
  const feedSize = fields.integer('feedSize', 1, 100) ?? 50;
  const mediaBase = fields.url('mediaBase', false);
  const agencies = readAgencies(record.agencies, report);
  const publicImages = record.publicImages;
  if (publicImages !== undefined && publicImages !== 'licensed' && publicImages !== 'all') report('publicImages', `must be "licensed" or "all" (the default), got ${JSON.stringify(publicImages)}`);
  let idAuthority = fields.line('idAuthority', false, 200);
  if (idAuthority !== undefined && !ID_AUTHORITY.test(idAuthority)) {
    report('idAuthority', `must be "<domain>,<year>" as in a tag: URI, e.g. "news.example.org,2019", got ${JSON.stringify(idAuthority)}`);
  }
  if (problems.length > 0 || title === undefined || link === undefined) throw new SiteError(file, problems);
  idAuthority ??= `${new URL(link).hostname},2000`;
  return {
    title,
    description,
    link,
    baseUrl,
    language,
    feedSize,
    idAuthority,
    ...(copyright === undefined ? {} : { copyright }),
    ...(icon === undefined ? {} : { icon }),
    ...(logo === undefined ? {} : { logo }),
    ...(mediaBase === undefined ? {} : { mediaBase }),
    ...(agencies === undefined ? {} : { agencies }),
    ...(publicImages === 'licensed' ? { publicImages } : {}),
  };
}

/** `agencies`: credit names whose pictures are not passed on (model/image-rights.ts). */
function readAgencies(value: unknown, report: (field: string, problem: string) => void): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((name) => typeof name === 'string' && name.trim() !== '' && name.length <= 200)) {
    report('agencies', 'must be a list of credit names such as ["AFP", "Reuters"]');
    return undefined;
  }
  return value.map((name: string) => name.trim());
}

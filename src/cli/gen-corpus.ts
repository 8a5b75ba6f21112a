/**
 * Writes a synthetic but realistic newsroom corpus for benchmarks and scale
 * tests: `site.json` plus `articles/*.json` in the record format of the
 * README. Everything comes from one seeded PRNG, so the same `--count` and
 * `--seed` always give the same bytes (a benchmark run is reproducible).
 *
 *   wirefeed gen-corpus --count 100000 --out /tmp/corpus [--seed 1] [--force]
 *
 * The shape follows what real newsrooms publish: ~5 KB HTML bodies with
 * headings, quotes, relative links and inline images; credits with roles;
 * zero to three images; several languages and scripts (en, ko, zh-Hans, ug,
 * bo, my); 200 tags with a Zipf-like skew (the largest on ~25 % of the
 * articles, the smallest on a few hundred per 100,000), and a few drafts and
 * embargoed stories. The text is generated from syllables, not copied.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Number of distinct tags in a corpus. */
export const TAG_COUNT = 200;
/** Share of articles carrying the most frequent tag. */
const TOP_TAG_SHARE = 0.25;
/** Zipf exponent of the tag frequencies: tag i (0-based) is on TOP_TAG_SHARE / (i + 1)^s of the articles. */
const TAG_EXPONENT = 0.8;
/** Target size of a body in UTF-8 bytes. */
const BODY_BYTES = 5000;

/** mulberry32: tiny, fast and good enough for synthetic data; deterministic for a seed. */
function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;
const between = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));

interface Script {
  /** BCP 47 tag written in the record. */
  readonly language: string;
  readonly service: string;
  readonly timezone: string;
  readonly offset: string;
  /** Share of the corpus. */
  readonly share: number;
  readonly urlPath: string;
  word(rng: Rng): string;
  /** Between words ('' for scripts written without spaces). */
  readonly space: string;
  readonly comma: string;
  readonly stop: string;
}

const syllables = (rng: Rng, list: readonly string[], min: number, max: number, joiner = ''): string =>
  Array.from({ length: between(rng, min, max) }, () => pick(rng, list)).join(joiner);

const EN_WORDS = (
  'river market council harvest border village school teacher farmer price rain season festival road bridge ' +
  'station ferry harbor province district mayor committee report budget water power clinic doctor patient ' +
  'family workers union factory export import trade fishing boat coast mountain valley temple monastery ' +
  'student exam library museum concert stadium police court judge lawyer election vote candidate campaign ' +
  'minister office agency program plan project network phone signal internet radio television newspaper ' +
  'reporter editor morning evening winter summer spring autumn week month year local regional national ' +
  'officials residents visitors travelers drivers traders buyers sellers growers shops stalls roads homes ' +
  'announced said reported confirmed denied expected planned opened closed reopened raised lowered moved ' +
  'repaired built crossed visited returned waited gathered collected delivered measured counted recorded ' +
  'new old small large early late quiet busy crowded empty dry wet cold warm heavy light full open'
).split(' ');
const KO_SYLLABLES = '가나다라마바사아자차카타파하고는을이에서의로한국시민정부회의경제학교마을강산시장가격올해지난주말'.split('');
const ZH_CHARS = '中国人民政府市场经济学校村庄河流山区价格今年上周居民官员表示报道发展计划工作农民天气交通医院水电新闻记者城市'.split('');
const UG_LETTERS = 'ئابپتجچخدرزژسشغفقكگڭلمنھوۇۆۈۋېىي'.split('');
const BO_SYLLABLES = ['ཀ', 'ཁ', 'ག', 'ང', 'ཅ', 'ཆ', 'ཇ', 'ཉ', 'ཏ', 'ཐ', 'ད', 'ན', 'པ', 'ཕ', 'བ', 'མ', 'ཚ', 'ཛ', 'ཝ', 'ཞ', 'ཟ', 'འ', 'ཡ', 'ར', 'ལ', 'ཤ', 'ས', 'ཧ', 'ཨ', 'ཀི', 'གུ', 'དེ', 'བོ', 'མི', 'སུ', 'ལོ', 'རྒྱ', 'སྐད', 'བོད', 'ཡུལ'];
const MY_SYLLABLES = ['က', 'ခ', 'ဂ', 'င', 'စ', 'ဆ', 'ည', 'တ', 'ထ', 'ဒ', 'န', 'ပ', 'ဖ', 'ဗ', 'ဘ', 'မ', 'ယ', 'ရ', 'လ', 'ဝ', 'သ', 'ဟ', 'အ', 'ကာ', 'မြို့', 'နယ်', 'ရေ', 'လူ', 'သား', 'စျေး', 'ကုန်', 'နှစ်', 'သင်', 'ပြည်', 'ထောင်', 'စု'];

const SCRIPTS: readonly Script[] = [
  { language: 'en', service: 'English', timezone: 'America/New_York', offset: '-05:00', share: 0.5, urlPath: 'english', space: ' ', comma: ',', stop: '.', word: (rng) => pick(rng, EN_WORDS) },
  { language: 'ko', service: 'Korean', timezone: 'Asia/Seoul', offset: '+09:00', share: 0.15, urlPath: 'korean', space: ' ', comma: ',', stop: '.', word: (rng) => syllables(rng, KO_SYLLABLES, 2, 4) },
  { language: 'zh-Hans', service: 'Mandarin', timezone: 'Asia/Shanghai', offset: '+08:00', share: 0.12, urlPath: 'mandarin', space: '', comma: '，', stop: '。', word: (rng) => syllables(rng, ZH_CHARS, 1, 3) },
  { language: 'ug', service: 'Uyghur', timezone: 'Asia/Urumqi', offset: '+06:00', share: 0.08, urlPath: 'uyghur', space: ' ', comma: '،', stop: '.', word: (rng) => syllables(rng, UG_LETTERS, 3, 8) },
  { language: 'bo', service: 'Tibetan', timezone: 'Asia/Kathmandu', offset: '+05:45', share: 0.07, urlPath: 'tibetan', space: '', comma: '་', stop: '།', word: (rng) => `${syllables(rng, BO_SYLLABLES, 1, 3, '་')}་` },
  { language: 'my', service: 'Burmese', timezone: 'Asia/Yangon', offset: '+06:30', share: 0.08, urlPath: 'burmese', space: ' ', comma: '၊', stop: '။', word: (rng) => syllables(rng, MY_SYLLABLES, 1, 3) },
];

const SECTIONS = ['Politics', 'Economy', 'Society', 'Culture', 'Environment', 'Health', 'Technology', 'Sports', 'Religion', 'Human Rights'];
const FIRST_NAMES = ['Min-seo', 'Ji-woo', 'Daniel', 'Aylin', 'Tenzin', 'Aung', 'Mei', 'Omar', 'Sofia', 'Nurgul', 'Hyun', 'Lhamo', 'Kyaw', 'Wei', 'Grace', 'Arman', 'Yuna', 'Pema', 'Thandar', 'Lin'];
const LAST_NAMES = ['Park', 'Han', 'Ortiz', 'Kurban', 'Dorje', 'Min', 'Chen', 'Haddad', 'Rossi', 'Tursun', 'Kim', 'Yangzom', 'Thu', 'Zhang', 'Adams', 'Sadyk', 'Lee', 'Norbu', 'Win', 'Huang', 'Moreau', 'Silva'];
const ORGANIZATIONS = ['the Korean Service', 'the Mandarin Service', 'the Uyghur Service', 'the Tibetan Service', 'the Burmese Service', 'the Newsdesk'];
const TAG_ADJECTIVES = ['Rural', 'Urban', 'Border', 'Coastal', 'Mountain', 'Regional', 'National', 'Local', 'Seasonal', 'Public'];
const TAG_NOUNS = ['Trade', 'Elections', 'Schools', 'Farming', 'Health', 'Transport', 'Water', 'Energy', 'Housing', 'Media', 'Courts', 'Festivals', 'Fisheries', 'Labour', 'Prices', 'Weather', 'Religion', 'Tourism', 'Security', 'Telecoms'];

/** The 200 tag names, most frequent first: "Border Trade", "Rural Elections", … */
export function tagNames(): string[] {
  const names: string[] = [];
  for (const noun of TAG_NOUNS) for (const adjective of TAG_ADJECTIVES) names.push(`${adjective} ${noun}`);
  return names.slice(0, TAG_COUNT);
}

const TAGS = tagNames();
const TAG_PROBABILITY = TAGS.map((_, i) => TOP_TAG_SHARE / (i + 1) ** TAG_EXPONENT);

function chooseScript(rng: Rng): Script {
  let x = rng();
  for (const script of SCRIPTS) {
    x -= script.share;
    if (x < 0) return script;
  }
  return SCRIPTS[0] as Script;
}

function sentence(rng: Rng, script: Script, minWords = 6, maxWords = 18): string {
  const words = Array.from({ length: between(rng, minWords, maxWords) }, () => script.word(rng));
  if (words.length > 8 && rng() < 0.5) words[Math.floor(words.length / 2)] += script.comma;
  let text = words.join(script.space);
  if (script.language === 'en') text = text.charAt(0).toUpperCase() + text.slice(1);
  return text + script.stop;
}

function paragraph(rng: Rng, script: Script): string {
  return Array.from({ length: between(rng, 2, 5) }, () => sentence(rng, script)).join(script.space === '' ? '' : ' ');
}

/** An HTML body of about BODY_BYTES UTF-8 bytes, with the markup sanitisation has to deal with. */
function body(rng: Rng, script: Script, id: string): string {
  const parts: string[] = [];
  let bytes = 0;
  const add = (html: string): void => {
    parts.push(html);
    bytes += Buffer.byteLength(html);
  };
  while (bytes < BODY_BYTES) {
    const r = rng();
    if (r < 0.08) add(`<h2>${sentence(rng, script, 3, 6)}</h2>`);
    else if (r < 0.14) add(`<blockquote><p>${sentence(rng, script)}</p></blockquote>`);
    else if (r < 0.22) add(`<p>${sentence(rng, script)} <a href="/${script.urlPath}/related/${id}-${parts.length}.html">${sentence(rng, script, 2, 4)}</a> ${sentence(rng, script)}</p>`);
    else if (r < 0.25) add(`<figure><img src="../images/${id}-inline-${parts.length}.jpg" alt="${sentence(rng, script, 3, 6)}"><figcaption>${sentence(rng, script, 3, 8)}</figcaption></figure>`);
    else if (r < 0.27) add(`<ul><li>${sentence(rng, script, 3, 8)}</li><li>${sentence(rng, script, 3, 8)}</li></ul>`);
    else if (r < 0.272) add(`<p onclick="track()">${sentence(rng, script)}</p><script>track("${id}")</script>`);
    else add(`<p>${paragraph(rng, script)}</p>`);
  }
  return parts.join('\n');
}

function personName(rng: Rng): string {
  return `${pick(rng, FIRST_NAMES)} ${pick(rng, LAST_NAMES)}`;
}

function credits(rng: Rng): Record<string, string>[] {
  const list: Record<string, string>[] = [{ name: personName(rng), role: 'reporter', ...(rng() < 0.4 ? { organization: pick(rng, ORGANIZATIONS) } : {}) }];
  if (rng() < 0.3) list.push({ name: personName(rng), role: 'reporter' });
  if (rng() < 0.4) list.push({ name: personName(rng), role: 'translator' });
  if (rng() < 0.3) list.push({ name: personName(rng), role: 'writer' });
  if (rng() < 0.2) list.push({ name: personName(rng), role: 'editor' });
  if (rng() < 0.3) list.push({ name: personName(rng), role: 'photographer' });
  return list;
}

function images(rng: Rng, script: Script, id: string): Record<string, unknown>[] {
  const count = rng() < 0.15 ? 0 : between(rng, 1, 3);
  return Array.from({ length: count }, (_, i) => ({
    url: `https://media.example.org/images/${id}-${i + 1}.jpg`,
    caption: sentence(rng, script, 4, 10),
    credit: rng() < 0.5 ? personName(rng) : 'Provincial Press Office',
    alt: sentence(rng, script, 3, 8),
    width: 1600,
    height: rng() < 0.5 ? 900 : 1067,
    ...(rng() < 0.8 ? { bytes: between(rng, 60_000, 400_000) } : {}),
    ...(rng() < 0.3 ? { thumbnail: `https://media.example.org/images/${id}-${i + 1}-thumb.jpg` } : {}),
  }));
}

const START = Date.UTC(2015, 0, 1);
const END = Date.UTC(2025, 11, 31);
const pad = (n: number): string => String(n).padStart(2, '0');

/** One date in one of the three accepted spellings, for an instant in UTC ms. */
function spellDate(rng: Rng, at: number, script: Script): { text: string; local: boolean } {
  const offsetMinutes = (script.offset.startsWith('-') ? -1 : 1) * (Number(script.offset.slice(1, 3)) * 60 + Number(script.offset.slice(4, 6)));
  const wall = new Date(at + offsetMinutes * 60_000);
  const local = `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}T${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`;
  const r = rng();
  if (r < 0.75 || script.timezone === 'America/New_York') return { text: `${local}${script.offset}`, local: false };
  if (r < 0.9) return { text: local, local: true };
  return { text: new Date(at).toUTCString().replace('GMT', '+0000'), local: false };
}

/** Zero-padded sequence so file names sort in generation order. */
export function articleId(index: number, published: number): string {
  const d = new Date(published);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-story-${String(index).padStart(7, '0')}`;
}

/** The record of article number `index`; depends only on (seed, index). */
export function generateRecord(seed: number, index: number): Record<string, unknown> {
  const rng = createRng((seed * 1_000_003 + index * 7919) >>> 0);
  const script = chooseScript(rng);
  const embargoed = rng() < 0.001;
  const published = embargoed ? Date.UTC(2099, 0, 1, 12) + index * 60_000 : START + Math.floor(rng() * (END - START));
  const id = articleId(index, published);
  const publishedText = spellDate(rng, published, script);
  const updated = rng() < 0.3 ? spellDate(rng, published + between(rng, 1, 72) * 3_600_000, script) : undefined;
  const tags = TAGS.filter((_, i) => rng() < (TAG_PROBABILITY[i] as number));
  const record: Record<string, unknown> = {
    id,
    url: `https://news.example.org/${script.urlPath}/${id.slice(0, 4)}/${id.slice(5, 7)}/${id}.html`,
    headline: sentence(rng, script, 5, 12).replace(/[.。།။]$/u, ''),
    summary: sentence(rng, script, 10, 25),
    body: body(rng, script, id),
    published: publishedText.text,
    ...(updated ? { updated: updated.text } : {}),
    ...(publishedText.local || updated?.local || rng() < 0.5 ? { timezone: script.timezone } : {}),
    language: script.language,
    service: script.service,
    section: pick(rng, SECTIONS),
    // Every article carries at least one tag; those the skewed draw left bare get one at random.
    tags: tags.length > 0 ? tags : [pick(rng, TAGS)],
    credits: credits(rng),
    images: images(rng, script, id),
    ...(rng() < 0.005 ? { status: 'draft' } : {}),
  };
  return record;
}

export const CORPUS_SITE = {
  title: 'Synthetic Newsroom',
  description: 'A generated corpus for wirefeed benchmarks.',
  link: 'https://news.example.org/',
  language: 'en',
  copyright: '© Synthetic Newsroom (generated data)',
  icon: 'https://news.example.org/favicon-64.png',
  logo: 'https://news.example.org/logo-512.png',
  feedSize: 50,
  idAuthority: 'news.example.org,2019',
  mediaBase: 'https://media.example.org/images/',
};

export interface CorpusOptions {
  readonly count: number;
  readonly out: string;
  readonly seed?: number;
  /** Remove existing `*.json` in `out/articles` first, instead of refusing. */
  readonly force?: boolean;
}

/** Writes the corpus; returns the number of bytes of article records written. */
export function writeCorpus(options: CorpusOptions, onProgress?: (written: number) => void): { files: number; bytes: number } {
  const seed = options.seed ?? 1;
  const articlesDir = join(options.out, 'articles');
  mkdirSync(articlesDir, { recursive: true });
  const existing = readdirSync(articlesDir).filter((n) => n.endsWith('.json'));
  if (existing.length > 0) {
    if (!options.force) throw new Error(`${articlesDir} already holds ${existing.length} article files; pass --force to replace them`);
    for (const name of existing) rmSync(join(articlesDir, name));
  }
  writeFileSync(join(options.out, 'site.json'), `${JSON.stringify(CORPUS_SITE, null, 2)}\n`);
  let bytes = 0;
  for (let i = 0; i < options.count; i++) {
    const record = generateRecord(seed, i);
    const text = `${JSON.stringify(record, null, 2)}\n`;
    bytes += Buffer.byteLength(text);
    writeFileSync(join(articlesDir, `${String(record.id)}.json`), text);
    onProgress?.(i + 1);
  }
  return { files: options.count, bytes };
}

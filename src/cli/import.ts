import { isEntryModule } from './entry.js';
import { closeSync, existsSync, fstatSync, linkSync, mkdirSync, openSync, readSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArticle } from '../load/article.js';
import { displayName, listJsonFiles, readJsonFile } from '../load/files.js';
import { RecordFileReader } from '../load/record-file-reader.js';
import { ARTICLES_DIR, loadSite } from '../load/load-data.js';
import { parseNewsroomText, toArticleRecord, type ImportOptions, type NewsroomStory } from './newsroom-text.js';
import type { Article, Site } from '../model/types.js';
import { escapeLines } from '../model/log-line.js';
import { readCommandLine, UsageError } from './cli-io.js';

/** Newsroom texts larger than this are refused: a story is a few kilobytes. */
const MAX_TEXT_BYTES = 5 * 1024 * 1024;

const IMPORT_USAGE = `usage: wirefeed import <file.txt> --url URL --published DATE [--timezone ZONE] [--service NAME]
           [--section NAME] [--language CODE] [--id ID] [--translation-of ID] [--media-base URL] [--force]

Turns an article published as plain text into data/articles/<id>.json
(DATA_DIR sets the data folder, default ./data).`;

/** Everything the command touches from outside, injected so tests can run it in-process. */
export interface ImportIo {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Exit codes: 0 written, 1 the text or record has problems (nothing written), 2 bad command line. */
export function runImport(io: ImportIo): number {
  const out = (line = ''): void => io.stdout(`${line}\n`);
  const err = (line: string): void => io.stderr(`${line}\n`);

  let args: ReturnType<typeof readArgs>;
  try {
    args = readArgs(io.argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`wirefeed import: ${(error as Error).message}`);
    err(IMPORT_USAGE);
    return 2;
  }
  if (args.help) {
    out(IMPORT_USAGE);
    return 0;
  }

  const dataDir = resolve(io.cwd, io.env.DATA_DIR ?? './data');
  // `npm run` moves to the package folder; INIT_CWD is where the user typed the command.
  const inputPath = resolve(io.env.INIT_CWD ?? io.cwd, args.file);
  const text = readText(inputPath);
  if (!text.ok) {
    err(`error: ${args.file}: ${text.problem}`);
    return 1;
  }

  const story = parseNewsroomText(text.value);
  let site: Site | undefined;
  let siteProblem: string | undefined;
  try {
    site = loadSite(dataDir, { fallbackBaseUrl: 'http://localhost' });
  } catch (error) {
    siteProblem = (error as Error).message;
  }
  const mediaBase = args.mediaBase ?? site?.mediaBase;
  const { record, errors: recordErrors } = toArticleRecord(story, {
    url: args.url,
    published: args.published,
    mediaBase,
    ...pick(args, ['timezone', 'service', 'section', 'language', 'id', 'translationOf'] as const),
  });

  const id = typeof record.id === 'string' ? record.id : undefined;
  const fileName = `${id ?? 'unknown'}.json`;
  const shownAs = displayName(dataDir, ARTICLES_DIR, fileName);
  const validated = parseArticle(record, shownAs, { language: site?.language ?? 'en' });
  printFound(out, story, validated.article, record);

  const errors = [...story.errors, ...recordErrors, ...validated.errors.map((e) => e.message)];
  if (story.image !== undefined && mediaBase === undefined && siteProblem !== undefined) errors.push(`(site.json could not be read for its mediaBase: ${siteProblem})`);
  for (const warning of story.warnings) err(`warning: ${warning}`);
  if (errors.length > 0 || id === undefined) {
    for (const error of errors) err(`error: ${error}`);
    err(`import: nothing was written (${errors.length} problem${errors.length === 1 ? '' : 's'})`);
    return 1;
  }

  const articlesDir = join(dataDir, ARTICLES_DIR);
  const target = join(articlesDir, fileName);
  const holder = otherFileWithId(dataDir, articlesDir, id, fileName)?.shownAs;
  if (args.translationOf !== undefined) {
    // The server would only warn about a broken link; at import time the editor is there to fix it.
    const original = otherFileWithId(dataDir, articlesDir, args.translationOf, fileName);
    const problem =
      original === undefined
        ? 'no article has that id; import the original first'
        : typeof original.record.translationOf === 'string'
          ? `${original.shownAs} is itself a translation of "${original.record.translationOf}"; give the original's id`
          : undefined;
    if (problem !== undefined) {
      err(`error: --translation-of "${args.translationOf}": ${problem}`);
      return 1;
    }
  }
  if (holder !== undefined) {
    err(`error: id "${id}" is already used by ${holder}; give --id to import under another id`);
    return 1;
  }
  if (existsSync(target) && !args.force) {
    err(`error: ${shownAs} already exists; give --force to replace it, or --id to import under another id`);
    return 1;
  }
  const replaced = existsSync(target);
  try {
    writeAtomically(articlesDir, target, `${JSON.stringify(record, null, 2)}\n`, args.force);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      err(`error: ${shownAs} appeared while importing; give --force to replace it`);
      return 1;
    }
    err(`error: cannot write ${shownAs}: ${(error as Error).message}`);
    return 1;
  }
  out(`${replaced ? 'replaced' : 'wrote'} ${shownAs}`);
  return 0;
}

interface Args extends ImportOptions {
  readonly file: string;
  readonly force: boolean;
  readonly help: boolean;
}

function readArgs(argv: readonly string[]): Args {
  const { values, positionals } = readCommandLine(argv, {
    url: { type: 'string' },
    published: { type: 'string' },
    timezone: { type: 'string' },
    service: { type: 'string' },
    section: { type: 'string' },
    language: { type: 'string' },
    id: { type: 'string' },
    'translation-of': { type: 'string' },
    'media-base': { type: 'string' },
    force: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return { file: '', url: '', published: '', force: false, help: true };
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give the text file to import' : `give one text file, got ${positionals.length}: ${positionals.join(' ')}`);
  const missing = (['url', 'published'] as const).filter((k) => values[k] === undefined || values[k].trim() === '');
  if (missing.length > 0) throw new UsageError(`${missing.map((k) => `--${k}`).join(' and ')} ${missing.length === 1 ? 'is' : 'are'} required`);
  return {
    file: positionals[0]!,
    url: values.url!,
    published: values.published!,
    force: values.force ?? false,
    help: false,
    ...(values.timezone === undefined ? {} : { timezone: values.timezone }),
    ...(values.service === undefined ? {} : { service: values.service }),
    ...(values.section === undefined ? {} : { section: values.section }),
    ...(values.language === undefined ? {} : { language: values.language }),
    ...(values.id === undefined ? {} : { id: values.id }),
    ...(values['translation-of'] === undefined ? {} : { translationOf: values['translation-of'] }),
    ...(values['media-base'] === undefined ? {} : { mediaBase: values['media-base'] }),
  };
}

function pick<K extends keyof Args>(args: Args, keys: readonly K[]): Partial<Pick<Args, K>> {
  const picked: Partial<Pick<Args, K>> = {};
  for (const key of keys) if (args[key] !== undefined) picked[key] = args[key];
  return picked;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function readText(path: string): { ok: true; value: string } | { ok: false; problem: string } {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, problem: 'is not a regular file' };
    if (stat.size > MAX_TEXT_BYTES) return { ok: false, problem: `is ${stat.size} bytes; the limit is ${MAX_TEXT_BYTES}` };
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return { ok: true, value: utf8.decode(buffer.subarray(0, read)) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, problem: 'does not exist' };
    if (code === 'EISDIR') return { ok: false, problem: 'is a directory, not a text file' };
    if (error instanceof TypeError) return { ok: false, problem: 'is not UTF-8 text' };
    return { ok: false, problem: `cannot be read (${code ?? (error as Error).message})` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Another record file in the folder that already carries this id (the server would reject one of the two). */
function otherFileWithId(dataDir: string, articlesDir: string, id: string, fileName: string): { shownAs: string; record: Record<string, unknown> } | undefined {
  // Every file of the folder may be read: one reader (folders resolved once, one buffer) for them all.
  const reader = new RecordFileReader();
  for (const name of listJsonFiles(articlesDir)) {
    if (name === fileName) continue;
    const shownAs = displayName(dataDir, ARTICLES_DIR, name);
    const read = readJsonFile(dataDir, join(articlesDir, name), shownAs, undefined, undefined, reader);
    if (read.ok && typeof read.value === 'object' && read.value !== null && (read.value as { id?: unknown }).id === id) return { shownAs, record: read.value as Record<string, unknown> };
  }
  return undefined;
}

/**
 * Writes a temporary file in the same folder, then moves it into place, so
 * the server's reload never sees half a record. Without `replace` the move
 * is a hard link, which fails with EEXIST rather than overwrite a file that
 * appeared since the check.
 */
function writeAtomically(dir: string, target: string, content: string, replace: boolean): void {
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.import-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.tmp`);
  writeFileSync(temp, content, { flag: 'wx' });
  try {
    if (replace) {
      renameSync(temp, target);
      return;
    }
    linkSync(temp, target);
  } finally {
    if (existsSync(temp)) unlinkSync(temp);
  }
}

function printFound(out: (line?: string) => void, story: NewsroomStory, article: Article | undefined, record: Record<string, unknown>): void {
  const label = (name: string): string => `${name}:`.padEnd(12);
  out(`${label('headline')}${story.headline}`);
  out(`${label('id')}${typeof record.id === 'string' ? record.id : '(none)'}`);
  const image = article?.images[0];
  if (story.image === undefined) out(`${label('image')}none`);
  else {
    out(`${label('image')}${image?.url ?? story.image.name} (line ${story.image.line})`);
    out(`${label('caption')}${story.image.caption ?? '(none)'}`);
    out(`${label('credit')}${story.image.credit ?? '(none: the caption names no agency)'}`);
  }
  out(`${label('paragraphs')}${story.paragraphs.length}`);
  if (story.credits.length === 0) out(`${label('credits')}none`);
  else {
    out(`${label('credits')}${story.creditLine ?? ''}`);
    const roles = [...new Set(story.credits.map((c) => c.role))];
    for (const role of roles) {
      const names = story.credits.filter((c) => c.role === role).map((c) => (c.organization === undefined ? c.name : `${c.name} (for ${c.organization})`));
      out(`  ${role.padEnd(13)}${names.join(', ')}`);
    }
  }
  const removed = [`${story.removed.shareButtons} share-button line${story.removed.shareButtons === 1 ? '' : 's'}`];
  if (story.removed.commentNotice) removed.push(`the comment-form notice and what follows (${story.removed.afterCommentNotice} line${story.removed.afterCommentNotice === 1 ? '' : 's'})`);
  out(`${label('removed')}${removed.join('; ')}`);
}


if (isEntryModule(import.meta.url)) {
  process.exitCode = runImport({
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    // Headlines, captions and file names come from the text being imported: escaped, so they cannot send terminal codes.
    stdout: (text) => process.stdout.write(escapeLines(text)),
    stderr: (text) => process.stderr.write(escapeLines(text)),
  });
}

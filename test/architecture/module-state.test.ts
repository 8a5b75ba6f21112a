import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryHost, moduleStateFindings, parseProgram } from './module-state.js';

/**
 * No module of src/ holds mutable state at module level (STYLE.md lesson 4:
 * "A cache is an instance owned by an app or a store, never a module-level
 * Map. Two apps in one process must not share anything.").
 */
const SRC = resolve(import.meta.dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Constant lookup tables: built once, from constants, and never written
 * (the test checks that too: a write to one is reported like any other).
 * Add one here only if it is such a table; a memo or a cache is an
 * instance owned by an app or a store instead.
 */
const CONSTANT_TABLES: Readonly<Record<string, readonly string[]>> = {
  // Link relations the export follows.
  'cli/export.ts': ['PAGING_RELS'],
  // Query parameters the widget accepts.
  'http/embed.ts': ['EMBED_PARAMS'],
  // Response headers the fast path replays.
  'http/fast-path.ts': ['REPLAYED_HEADERS'],
  // Feed file names and URL folders, from the format and filter tables: metric labels.
  'http/observe-requests.ts': ['FEED_FILES', 'FOLDER_KINDS'],
  // Right-to-left languages and scripts (pages' dir attribute).
  'http/pages/locale.ts': ['RTL_LANGUAGES', 'RTL_SCRIPTS'],
  // JSON white space bytes.
  'load/files.ts': ['JSON_SPACE'],
  // Article fields whose values repeat across a corpus.
  'load/intern.ts': ['REPEATED'],
  // Feed query parameters.
  'query/resolve-feed.ts': ['KNOWN_PARAMS'],
  // Error codes meaning the database is unreachable.
  'store/postgres/pool.ts': ['UNAVAILABLE_CODES'],
  // Options of the listener, not of the configuration; option → variable names.
  'wirefeed-options.ts': ['LISTENER_OPTIONS', 'VARIABLE_OPTIONS'],
};

describe('module state', () => {
  const files = sourceFiles(SRC);
  const program = parseProgram(files);

  it('no module under src/ keeps a cache, a counter or any other mutable state at module level', () => {
    const findings = files.flatMap((file) => moduleStateFindings(program, file, new Set(CONSTANT_TABLES[relative(SRC, file)] ?? [])));
    expect(findings.map((f) => `src/${relative(SRC, f.file)}:${f.line} ${f.name}: ${f.why}`)).toEqual([]);
  });

  it('every allowlisted table exists as a top-level const (no stale entries)', () => {
    for (const [file, names] of Object.entries(CONSTANT_TABLES)) {
      const source = program.getSourceFile(join(SRC, file));
      expect(source, file).toBeDefined();
      for (const name of names) expect(source?.text, `${file} ${name}`).toMatch(new RegExp(`^(?:export )?const ${name}\\b`, 'm'));
    }
  });

  describe('the rules themselves', () => {
    const findingsIn = (text: string, allowed: readonly string[] = []): string[] => {
      const program = parseProgram(['/m.ts'], memoryHost({ '/m.ts': text }));
      return moduleStateFindings(program, '/m.ts', new Set(allowed)).map((f) => `${f.line} ${f.name}`);
    };

    it('flags a module-level memo, counter, buffer and cache object', () => {
      expect(findingsIn('const recent = new Map<string, string>();\nexport function f(k: string) { recent.set(k, k); }')).toEqual(['1 recent', '2 recent']);
      // Allowlisting a table does not let it be written.
      expect(findingsIn('const recent = new Map<string, string>();\nexport function f(k: string) { recent.set(k, k); }', ['recent'])).toEqual(['2 recent']);
      expect(findingsIn('const TAG = /a/g;\nexport function f(s: string) { TAG.lastIndex = 0; return TAG.exec(s); }')).toEqual(['2 TAG', '2 TAG']);
      expect(findingsIn("const TAG = new RegExp('a', 'gu');\nexport const f = (s: string) => TAG.test(s);")).toEqual(['2 TAG']);
      expect(findingsIn('const seen = new WeakMap<object, number>();')).toEqual(['1 seen']);
      expect(findingsIn('let counter = 0;\nexport const next = () => ++counter;')).toEqual(['1 counter']);
      expect(findingsIn('var scratch = Buffer.alloc(1);')).toEqual(['1 scratch']);
      expect(findingsIn('const cache: Record<string, number> = {};\nexport function put(k: string) { cache[k] = 1; }')).toEqual(['2 cache']);
      expect(findingsIn('const list: number[] = [];\nexport function add() { list.push(1); }')).toEqual(['2 list']);
      expect(findingsIn('export class C { static hits = 0; static readonly all = new Set<string>(); static readonly MAX = 3; }')).toEqual(['1 C.hits', '1 C.all']);
    });

    it('lets a constant table, instance state and locals of the same name be', () => {
      expect(findingsIn("const KNOWN = new Set(['a', 'b']);\nexport const known = (s: string) => KNOWN.has(s);", ['KNOWN'])).toEqual([]);
      expect(findingsIn('export class Memo { private readonly recent = new Map<string, string>(); put(k: string) { this.recent.set(k, k); } }')).toEqual([]);
      expect(findingsIn("const recent = new Set(['x']);\nexport function f() { const recent = new Map(); recent.set(1, 2); return recent; }", ['recent'])).toEqual([]);
      expect(findingsIn('export function f() { let n = 0; n += 1; return n; }')).toEqual([]);
      // A global regex that only replace and matchAll use starts from 0 every time; a non-global one keeps nothing.
      expect(findingsIn("const ALL = /a/g;\nconst ONE = /a/;\nexport const f = (s: string) => (ONE.test(s) ? s.replace(ALL, '') : [...s.matchAll(ALL)].join());")).toEqual([]);
    });
  });
});

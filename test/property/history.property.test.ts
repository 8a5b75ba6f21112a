import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VersionAction } from '../../src/store/versions.js';
import { makeRecord } from '../helpers/builders.js';
import { probePostgres } from '../helpers/postgres.js';
import { writeBackends, type OpenedStore } from '../helpers/write-backends.js';

const available = await probePostgres();

type Op = { readonly kind: 'put'; readonly headline: string } | { readonly kind: 'delete' } | { readonly kind: 'restore'; readonly pick: number };

const ops = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('put' as const), headline: fc.stringMatching(/^[A-Za-z0-9]{1,12}$/) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('restore' as const), pick: fc.nat() }) },
  ),
  { minLength: 1, maxLength: 12 },
);

interface Expected {
  readonly action: VersionAction;
  /** The headline the version holds; null for a deletion. */
  readonly headline: string | null;
}

/**
 * No sequence of PUT, DELETE and restore loses a version: every write that
 * succeeds is one new version, numbered on from the last, whose record is
 * the one written, and the article served is the newest version.
 */
describe.each(writeBackends(available))('history on the $name backend (property)', (backend) => {
  let opened: OpenedStore;
  let run = 0;
  beforeAll(async () => {
    opened = await backend.open();
  });
  afterAll(async () => {
    await opened?.close();
  });

  it('keeps every version of every write sequence, in order, with its record', async () => {
    await fc.assert(
      fc.asyncProperty(ops, async (sequence) => {
        const { store } = opened;
        run += 1;
        const id = `prop-${run}`;
        const expected: Expected[] = [];
        let present = false;
        for (const op of sequence) {
          if (op.kind === 'put') {
            const result = await store.put(id, Buffer.from(JSON.stringify(makeRecord({ id, headline: op.headline }))));
            expect(result.version).toBe(expected.length + 1);
            expected.push({ action: present ? 'updated' : 'created', headline: op.headline });
            present = true;
          } else if (op.kind === 'delete') {
            expect(await store.remove(id)).toBe(present);
            if (present) expected.push({ action: 'deleted', headline: null });
            present = false;
          } else {
            const n = expected.length === 0 ? 1 : (op.pick % expected.length) + 1;
            const target = expected[n - 1];
            const result = await store.restore(id, n);
            if (!target || target.headline === null) {
              expect(result).toBeUndefined();
              continue;
            }
            expect(result?.version).toBe(expected.length + 1);
            expected.push({ action: 'restored', headline: target.headline });
            present = true;
          }
        }
        const versions = await store.history.versions(id);
        expect(versions.map((v) => [v.version, v.action])).toEqual(expected.map((e, i) => [i + 1, e.action]));
        for (const [i, e] of expected.entries()) {
          const kept = await store.history.version(id, i + 1);
          expect(kept?.record === null || kept?.record === undefined ? null : (JSON.parse(kept.record) as { headline: string }).headline).toBe(e.headline);
        }
        const last = expected[expected.length - 1];
        const served = await store.article(id);
        expect(served?.headline ?? null).toBe(present ? last?.headline : null);
        expect(await store.etag(id)).toBe(present ? versions[versions.length - 1]?.etag : undefined);
      }),
      { numRuns: backend.name === 'files' ? 60 : 25 },
    );
  }, 120_000);

  it('HISTORY_KEEP=k keeps the newest k versions and the newest with a record, so the last story deleted can always be restored', async () => {
    for (const keep of [1, 2]) {
      const kept = await backend.open([], { historyKeep: keep });
      try {
        await fc.assert(
          fc.asyncProperty(ops, async (sequence) => {
            const { store } = kept;
            run += 1;
            const id = `keep-${run}`;
            const headlines: (string | null)[] = [];
            const expectedKept = (): number[] => {
              const newest = headlines.map((h, i) => (h === null ? 0 : i + 1)).reduce((a, b) => Math.max(a, b), 0);
              const last = headlines.map((_, i) => i + 1).slice(-keep);
              return [...new Set([...(newest > 0 && !last.includes(newest) ? [newest] : []), ...last])];
            };
            let present = false;
            for (const op of sequence) {
              if (op.kind === 'put') {
                await store.put(id, Buffer.from(JSON.stringify(makeRecord({ id, headline: op.headline }))));
                headlines.push(op.headline);
                present = true;
              } else if (op.kind === 'delete') {
                if (await store.remove(id)) headlines.push(null);
                present = false;
              } else {
                const choices = expectedKept().filter((n) => headlines[n - 1] !== null);
                const n = choices[op.pick % Math.max(1, choices.length)];
                if (n === undefined) continue;
                expect((await store.restore(id, n))?.version).toBe(headlines.length + 1);
                headlines.push(headlines[n - 1] ?? null);
                present = true;
              }
              expect((await store.history.versions(id)).map((v) => v.version)).toEqual(expectedKept());
            }
            // After a DELETE the story it retracted is still among the kept versions.
            if (!present && headlines.length > 0) {
              const newest = Math.max(...expectedKept().filter((n) => headlines[n - 1] !== null));
              expect(JSON.parse((await store.history.version(id, newest))?.record ?? '{}')).toMatchObject({ headline: headlines.filter((h) => h !== null).at(-1) });
            }
          }),
          { numRuns: backend.name === 'files' ? 30 : 15 },
        );
      } finally {
        await kept.close();
      }
    }
  }, 120_000);
});

import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRefusalTally } from '../../src/http/anonymous-refusals.js';
import { appendAuditLine, readAuditSince } from '../../src/store/files/audit-trail.js';
import type { AuditEntry } from '../../src/store/versions.js';

const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function auditFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-audit-'));
  folders.push(dir);
  return join(dir, 'history', 'audit.jsonl');
}

const START = Date.parse('2026-03-01T00:00:00Z');
function entry(i: number, at = new Date(START + i * 1000)): AuditEntry {
  // Ids of every length up to 2,000 characters: lines longer than the reader's chunk are read whole.
  return { at, keyId: 'editor', client: '192.0.2.1', method: 'PUT', id: `story-${i}-${'x'.repeat((i * 37) % 2000)}`, status: 200, outcome: 'updated', version: i + 1 };
}

/** What a page must hold: every entry after `since`, in file order, at most `limit`. */
function expected(all: readonly AuditEntry[], since: Date, limit: number): AuditEntry[] {
  return all.filter((e) => e.at.getTime() > since.getTime()).slice(0, limit);
}

describe('the files backend audit trail', () => {
  it('a page after any time holds exactly the entries after it, read without the rest of the file', async () => {
    const path = auditFile();
    const all = Array.from({ length: 600 }, (_, i) => entry(i));
    await appendAuditLine(path, all[0]!);
    appendFileSync(path, all.slice(1).map((e) => `${JSON.stringify({ ...e, at: e.at.toISOString() })}\n`).join(''));
    for (const i of [-5, 0, 1, 2, 299, 300, 597, 598, 599, 700]) {
      const since = new Date(START + i * 1000);
      for (const limit of [1, 7, 1000]) expect(await readAuditSince(path, since, limit)).toEqual(expected(all, since, limit));
    }
    // Paging by the last entry's time walks the whole trail once.
    const paged: AuditEntry[] = [];
    for (let since = new Date(0); ; ) {
      const page = await readAuditSince(path, since, 50);
      paged.push(...page);
      if (page.length < 50) break;
      since = page[page.length - 1]!.at;
    }
    expect(paged).toEqual(all);
  });

  it('lines appended a little out of time order are found, and a line still being appended is left for the next read', async () => {
    const path = auditFile();
    const all = Array.from({ length: 200 }, (_, i) => entry(i, new Date(START + i * 100 + (i % 3 === 0 ? 2_000 : 0))));
    for (const e of all) await appendAuditLine(path, e);
    for (const ms of [0, 5_000, 10_050, 19_000]) {
      const since = new Date(START + ms);
      expect(await readAuditSince(path, since, 1000)).toEqual(expected(all, since, 1000));
    }
    appendFileSync(path, '{"at":"2026-03-01T01:00:00.000Z","keyId":"ed');
    expect(await readAuditSince(path, new Date(START), 1000)).toEqual(expected(all, new Date(START), 1000));
    expect(await readAuditSince(path, new Date(START + 10 * 60_000), 10)).toEqual([]);
  });

  it('reads an empty or missing trail as no entries', async () => {
    const path = auditFile();
    expect(await readAuditSince(path, new Date(0), 10)).toEqual([]);
    await appendAuditLine(path, entry(0));
    writeFileSync(path, '');
    expect(await readAuditSince(path, new Date(0), 10)).toEqual([]);
  });
});

describe('the tally of refusals without a key', () => {
  it('holds at most 1,000 clients: the oldest is written early, so memory stays bounded under a flood from many addresses', async () => {
    const written: AuditEntry[] = [];
    const now = new Date(START);
    const tally = createRefusalTally({ write: async (e) => void written.push(e), clock: () => now, log: () => undefined });
    const refusal = (client: string): AuditEntry => ({ at: now, keyId: null, client, method: 'PUT', id: 'x', status: 401, outcome: 'refused: no key' });
    for (let i = 0; i < 1_000; i += 1) tally.record(refusal(`198.51.${i >> 8}.${i & 255}`));
    tally.record(refusal('198.51.0.0'));
    expect(written).toEqual([]);
    tally.record(refusal('203.0.113.1'));
    expect(written.map((e) => [e.client, e.count])).toEqual([['198.51.0.0', 2]]);
    // One IPv6 subscriber's /64 is one client.
    tally.record(refusal('2001:db8:1:2::1'));
    tally.record(refusal('2001:db8:1:2::ffff'));
    await tally.flushEnded();
    expect(written).toHaveLength(2);
    now.setTime(START + 60_000);
    await tally.flushEnded();
    expect(written).toHaveLength(1_002);
    expect(written.find((e) => e.client === '2001:db8:1:2::1')?.count).toBe(2);
    expect(written.every((e) => e.keyId === null && e.at.getTime() === START + 60_000)).toBe(true);
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/commands.js';
import type { CliIo } from '../../src/cli/cli-io.js';
import { acceptedKeys, findKey, hashSecret, loadKeysFile, parseKeys, scopeCheck } from '../../src/http/api-keys.js';
import { makeArticle } from '../helpers/builders.js';

const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function keys(argv: readonly string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { env, cwd: process.cwd(), interactive: false, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  return { code: await runCli(['keys', ...argv], io), stdout, stderr };
}

function keysFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-keys-'));
  folders.push(dir);
  return join(dir, 'keys.json');
}

describe('wirefeed keys', () => {
  it('add prints a new secret once and stores only its hash; the key is scoped as asked; rotation is two keys at once', async () => {
    const file = keysFile();
    const added = await keys(['add', '--id', 'korean-desk', '--service', 'Korean'], { KEYS_FILE: file });
    expect(added.code).toBe(0);
    const secret = added.stdout.trim();
    expect(secret).toMatch(/^wf_[A-Za-z0-9_-]{43}$/);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secret.slice(3, 20));
    const [key] = loadKeysFile(file);
    expect(key).toMatchObject({ id: 'korean-desk', services: ['Korean'], delete: false, audit: false });
    expect(findKey(loadKeysFile(file), secret)?.id).toBe('korean-desk');
    expect(() => scopeCheck(key!)(makeArticle({ service: 'English' }), undefined)).toThrow(/lacks the scope service "English"/);
    expect(() => scopeCheck(key!)(makeArticle({ service: 'Korean' }), undefined)).not.toThrow();

    // Rotation: a second key, both valid, then the first removed.
    const rotated = await keys(['add', '--id', 'korean-desk-2', '--service', 'Korean', '--file', file]);
    const second = rotated.stdout.trim();
    expect(findKey(loadKeysFile(file), secret)?.id).toBe('korean-desk');
    expect(findKey(loadKeysFile(file), second)?.id).toBe('korean-desk-2');
    expect((await keys(['remove', '--id', 'korean-desk', '--file', file])).code).toBe(0);
    expect(findKey(loadKeysFile(file), secret)).toBeUndefined();
    expect(findKey(loadKeysFile(file), second)?.id).toBe('korean-desk-2');
    expect((await keys(['add', '--id', 'korean-desk-2', '--file', file])).code).toBe(1);
    expect((await keys(['list', '--file', file])).stdout).toBe('korean-desk-2: services Korean\n');
  });

  it('add --stats makes a key that may read GET /api/stats (issue 27); a key without it may not', async () => {
    const file = keysFile();
    expect((await keys(['add', '--id', 'audience', '--stats', '--file', file])).code).toBe(0);
    expect((await keys(['add', '--id', 'desk', '--file', file])).code).toBe(0);
    expect(loadKeysFile(file).map((k) => [k.id, k.stats === true])).toEqual([
      ['audience', true],
      ['desk', false],
    ]);
    expect((await keys(['list', '--file', file])).stdout).toBe('audience: any service; may read the stats\ndesk: any service\n');
    expect(() => parseKeys(JSON.stringify({ keys: [{ id: 'a', hash: `sha256:${'0'.repeat(64)}`, stats: 'yes' }] }), 'keys.json')).toThrow('keys.json: entry 1 ("a"): stats must be true or false');
  });

  it('refuses a bad command line (exit 2) and a malformed file (exit 1, naming the entry)', async () => {
    expect((await keys(['add', '--id', 'x'])).code).toBe(2);
    expect((await keys(['add', '--id', 'Capitals', '--file', keysFile()])).code).toBe(2);
    const file = keysFile();
    writeFileSync(file, JSON.stringify({ keys: [{ id: 'a', hash: `sha256:${'0'.repeat(64)}`, sections: 'Korea' }] }));
    const broken = await keys(['list', '--file', file]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/entry 1 \("a"\): sections must be a non-empty list/);
  });

  it('parses scopes strictly: unknown fields and duplicate ids are errors', () => {
    const hash = `sha256:${'a'.repeat(64)}`;
    expect(() => parseKeys(JSON.stringify({ keys: [{ id: 'a', hash, deletes: true }] }), 'keys.json')).toThrow('keys.json: entry 1 ("a"): unknown field "deletes"');
    expect(() => parseKeys(JSON.stringify({ keys: [{ id: 'a', hash }, { id: 'a', hash }] }), 'keys.json')).toThrow(/entry 2 \("a"\): the id is used by an earlier entry/);
    expect(() => parseKeys('[]', 'keys.json')).toThrow(/must be an object \{"keys"/);
  });

  it('refuses a key named ingest-token (it would pose as the master INGEST_TOKEN) and two keys sharing one hash, in the file and in keys add', async () => {
    const hash = `sha256:${'a'.repeat(64)}`;
    expect(() => parseKeys(JSON.stringify({ keys: [{ id: 'ingest-token', hash }] }), 'keys.json')).toThrow('keys.json: entry 1 ("ingest-token"): the id "ingest-token" is reserved');
    expect(() => parseKeys(JSON.stringify({ keys: [{ id: 'a', hash }, { id: 'b', hash }] }), 'keys.json')).toThrow(/entry 2 \("b"\): the hash is the same as key "a"'s/);
    expect(() => acceptedKeys([{ id: 'desk', hash: hashSecret('the-master'), delete: false, audit: false }], 'the-master')).toThrow(/KEYS_FILE key "desk" has INGEST_TOKEN's secret/);

    const file = keysFile();
    const posing = await keys(['add', '--id', 'ingest-token', '--file', file]);
    expect(posing.code).toBe(2);
    expect(posing.stderr).toMatch(/"ingest-token" is reserved/);
    expect(posing.stdout).toBe('');
    writeFileSync(file, JSON.stringify({ keys: [{ id: 'a', hash }, { id: 'b', hash }] }));
    const shared = await keys(['add', '--id', 'c', '--file', file]);
    expect(shared.code).toBe(1);
    expect(shared.stderr).toMatch(/entry 2 \("b"\): the hash is the same as key "a"'s/);
  });
});

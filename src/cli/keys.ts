import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { hashSecret, KeysFileError, loadKeysFile, parseKeys, type ApiKey } from '../http/api-keys.js';
import { writeFileAtomic } from '../load/write.js';
import { readCommandLine, UsageError, withUsage, type CliIo } from './cli-io.js';

const KEYS_USAGE = `usage: wirefeed keys add --id <id> [--service <name>]… [--section <name>]… [--delete] [--audit] [--file <keys.json>]
       wirefeed keys remove --id <id> [--file <keys.json>]
       wirefeed keys list [--file <keys.json>]

Manages the scoped API keys of KEYS_FILE (the default file). "add" prints the
new secret once and stores only its SHA-256. Without --service or --section a
key may write any story. Rotate a key by adding a second one, moving clients
to it, then removing the first; the server reads the file at start.`;

/** A new secret: 32 random bytes, so a SHA-256 of it cannot be reversed by guessing. */
function newSecret(): string {
  return `wf_${randomBytes(32).toString('base64url')}`;
}

function describeKey(key: ApiKey): string {
  const scope = [key.services ? `services ${key.services.join(', ')}` : 'any service', ...(key.sections ? [`sections ${key.sections.join(', ')}`] : []), ...(key.delete ? ['may delete'] : []), ...(key.audit ? ['may read the audit'] : [])];
  return `${key.id}: ${scope.join('; ')}`;
}

/** `wirefeed keys add|remove|list`. Exit codes: 0 done, 1 the keys file cannot be used, 2 bad command line. */
export function runKeys(argv: readonly string[], io: CliIo): Promise<number> {
  return withUsage('keys', KEYS_USAGE, io, async () => {
    const { values, positionals } = readCommandLine(argv, {
      id: { type: 'string' },
      service: { type: 'string', multiple: true },
      section: { type: 'string', multiple: true },
      delete: { type: 'boolean' },
      audit: { type: 'boolean' },
      file: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(`${KEYS_USAGE}\n`);
      return 0;
    }
    const [action, extra] = positionals;
    if (extra !== undefined || (action !== 'add' && action !== 'remove' && action !== 'list')) throw new UsageError('say add, remove or list');
    const file = values.file ?? io.env.KEYS_FILE;
    if (file === undefined || file.trim() === '') throw new UsageError('name the keys file with --file or KEYS_FILE');
    const path = resolve(io.cwd, file);
    let keys: ApiKey[];
    try {
      // loadKeysFile reads as the server does: a folder or an unreadable file is one line (it was an EISDIR stack trace).
      keys = existsSync(path) ? loadKeysFile(path) : [];
    } catch (error) {
      if (!(error instanceof KeysFileError)) throw error;
      io.stderr(`wirefeed keys: ${error.message}\n`);
      return 1;
    }
    if (action === 'list') {
      io.stdout(keys.map((key) => `${describeKey(key)}\n`).join(''));
      return 0;
    }
    if (values.id === undefined) throw new UsageError('--id is required');
    const id = values.id;
    let next: ApiKey[];
    if (action === 'remove') {
      if (!keys.some((key) => key.id === id)) {
        io.stderr(`wirefeed keys: ${path} has no key "${id}"\n`);
        return 1;
      }
      next = keys.filter((key) => key.id !== id);
    } else {
      if (keys.some((key) => key.id === id)) {
        io.stderr(`wirefeed keys: ${path} already has a key "${id}"; to rotate it, add one with a new id, then remove "${id}"\n`);
        return 1;
      }
      const secret = newSecret();
      const key: ApiKey = { id, hash: hashSecret(secret), ...(values.service ? { services: values.service } : {}), ...(values.section ? { sections: values.section } : {}), delete: values.delete ?? false, audit: values.audit ?? false };
      // Checked as the server will check it (an id with capitals, an empty service), before the file changes.
      try {
        parseKeys(JSON.stringify({ keys: [key] }), 'the new key');
      } catch (error) {
        if (!(error instanceof KeysFileError)) throw error;
        throw new UsageError(error.message);
      }
      next = [...keys, key];
      io.stdout(`${secret}\n`);
      io.stderr(`Added ${describeKey(key)} to ${path}. The secret above is shown only now; give it to the desk (Authorization: Bearer <secret>). Restart wirefeed to use it.\n`);
    }
    await writeFileAtomic(dirname(path), basename(path), `${JSON.stringify({ keys: next }, null, 2)}\n`);
    if (action === 'remove') io.stderr(`Removed key "${id}" from ${path}. Restart wirefeed to stop accepting it.\n`);
    return 0;
  });
}

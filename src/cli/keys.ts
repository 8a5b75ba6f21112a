import { randomBytes } from 'node:crypto';
import { hashSecret, KeysFileError, loadKeysFile, parseKeys, type ApiKey } from '../http/api-keys.js';
import type { CliIo } from './cli-io.js';
import { runSecretFileCommand, type SecretFileCommand } from './secret-file-command.js';

const KEYS_USAGE = `usage: wirefeed keys add --id <id> [--service <name>]… [--section <name>]… [--delete] [--audit] [--stats] [--file <keys.json>]
       wirefeed keys remove --id <id> [--file <keys.json>]
       wirefeed keys list [--file <keys.json>]

Manages the scoped API keys of KEYS_FILE (the default file). "add" prints the
new secret once and stores only its SHA-256. Without --service or --section a
key may write any story. Rotate a key by adding a second one, moving clients
to it, then removing the first; the server reads the file at start.`;

/** A new secret: 32 random bytes, so a SHA-256 of it cannot be reversed by guessing. */
export function newSecret(): string {
  return `wf_${randomBytes(32).toString('base64url')}`;
}

function describeKey(key: ApiKey): string {
  const scope = [key.services ? `services ${key.services.join(', ')}` : 'any service', ...(key.sections ? [`sections ${key.sections.join(', ')}`] : []), ...(key.delete ? ['may delete'] : []), ...(key.audit ? ['may read the audit'] : []), ...(key.stats ? ['may read the stats'] : [])];
  return `${key.id}: ${scope.join('; ')}`;
}

const KEYS_COMMAND: SecretFileCommand<ApiKey> = {
  name: 'keys',
  usage: KEYS_USAGE,
  variable: 'KEYS_FILE',
  options: { service: { type: 'string', multiple: true }, section: { type: 'string', multiple: true }, delete: { type: 'boolean' }, audit: { type: 'boolean' }, stats: { type: 'boolean' } },
  load: loadKeysFile,
  FileError: KeysFileError,
  describe: describeKey,
  make: (id, hash, values) => {
    const strings = (v: unknown) => (Array.isArray(v) ? (v as string[]) : undefined);
    const services = strings(values.service);
    const sections = strings(values.section);
    const key: ApiKey = { id, hash, ...(services ? { services } : {}), ...(sections ? { sections } : {}), delete: values.delete === true, audit: values.audit === true, ...(values.stats === true ? { stats: true } : {}) };
    // An id with capitals, an empty service: refused as the server would refuse it.
    parseKeys(JSON.stringify({ keys: [key] }), 'the new key');
    return key;
  },
  serialise: (keys) => `${JSON.stringify({ keys }, null, 2)}\n`,
  messages: {
    missing: (path, id) => `wirefeed keys: ${path} has no key "${id}"\n`,
    exists: (path, id) => `wirefeed keys: ${path} already has a key "${id}"; to rotate it, add one with a new id, then remove "${id}"\n`,
    added: (key, path) => `Added ${describeKey(key)} to ${path}. The secret above is shown only now; give it to the desk (Authorization: Bearer <secret>). Restart wirefeed to use it.\n`,
    removed: (path, id) => `Removed key "${id}" from ${path}. Restart wirefeed to stop accepting it.\n`,
  },
};

/** `wirefeed keys add|remove|list`. Exit codes: 0 done, 1 the keys file cannot be used, 2 bad command line. */
export function runKeys(argv: readonly string[], io: CliIo): Promise<number> {
  return runSecretFileCommand(KEYS_COMMAND, argv, io, { make: newSecret, hash: hashSecret });
}

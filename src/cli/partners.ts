import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../load/write.js';
import { hashSecret } from '../model/secret.js';
import { loadPartnersFile, parsePartners, partnerEntry, PartnersFileError, type Partner } from '../partners/partner.js';
import { readCommandLine, UsageError, withUsage, type CliIo } from './cli-io.js';
import { newSecret } from './keys.js';

export const PARTNERS_USAGE = `usage: wirefeed partners add --id <id> [--service <name>]… [--section <name>]… [--language <tag>]…
                             [--content full|summary|headline] [--images licensed|none|all] [--delay <30m|2h|1d>]
                             [--file <partners.json>]
       wirefeed partners remove --id <id> [--file <partners.json>]
       wirefeed partners list [--file <partners.json>]

Manages the partners of PARTNERS_FILE (the default file) and their private
feeds at /partners/<id>/ (docs/partners.md). "add" prints the partner's new
key once and stores only its SHA-256. Without --service, --section or
--language the partner sees every story; --content defaults to full,
--images to licensed (no agency pictures), --delay to none. The server
reads the file at start.`;

function describePartner(partner: Partner): string {
  const scope = [
    partner.services ? `services ${partner.services.join(', ')}` : 'any service',
    ...(partner.sections ? [`sections ${partner.sections.join(', ')}`] : []),
    ...(partner.languages ? [`languages ${partner.languages.join(', ')}`] : []),
    `${partner.content} text`,
    `images ${partner.images}`,
    ...(partner.delay ? [`delay ${partner.delay}`] : []),
  ];
  return `${partner.id}: ${scope.join('; ')}`;
}

/** `wirefeed partners add|remove|list`. Exit codes: 0 done, 1 the partners file cannot be used, 2 bad command line. */
export function runPartners(argv: readonly string[], io: CliIo): Promise<number> {
  return withUsage('partners', PARTNERS_USAGE, io, async () => {
    const { values, positionals } = readCommandLine(argv, {
      id: { type: 'string' },
      service: { type: 'string', multiple: true },
      section: { type: 'string', multiple: true },
      language: { type: 'string', multiple: true },
      content: { type: 'string' },
      images: { type: 'string' },
      delay: { type: 'string' },
      file: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(`${PARTNERS_USAGE}\n`);
      return 0;
    }
    const [action, extra] = positionals;
    if (extra !== undefined || (action !== 'add' && action !== 'remove' && action !== 'list')) throw new UsageError('say add, remove or list');
    const file = values.file ?? io.env.PARTNERS_FILE;
    if (file === undefined || file.trim() === '') throw new UsageError('name the partners file with --file or PARTNERS_FILE');
    const path = resolve(io.cwd, file);
    let partners: Partner[];
    try {
      partners = existsSync(path) ? loadPartnersFile(path) : [];
    } catch (error) {
      if (!(error instanceof PartnersFileError)) throw error;
      io.stderr(`wirefeed partners: ${error.message}\n`);
      return 1;
    }
    if (action === 'list') {
      io.stdout(partners.map((partner) => `${describePartner(partner)}\n`).join(''));
      return 0;
    }
    if (values.id === undefined) throw new UsageError('--id is required');
    const id = values.id;
    let next: Partner[];
    if (action === 'remove') {
      if (!partners.some((partner) => partner.id === id)) {
        io.stderr(`wirefeed partners: ${path} has no partner "${id}"\n`);
        return 1;
      }
      next = partners.filter((partner) => partner.id !== id);
    } else {
      if (partners.some((partner) => partner.id === id)) {
        io.stderr(`wirefeed partners: ${path} already has a partner "${id}"; to give it a new key, remove it and add it again\n`);
        return 1;
      }
      const secret = newSecret();
      const entry = {
        id,
        hash: hashSecret(secret),
        ...(values.service ? { services: values.service } : {}),
        ...(values.section ? { sections: values.section } : {}),
        ...(values.language ? { languages: values.language } : {}),
        ...(values.content === undefined ? {} : { content: values.content }),
        ...(values.images === undefined ? {} : { images: values.images }),
        ...(values.delay === undefined ? {} : { delay: values.delay }),
      };
      // Checked as the server will check it (an id with capitals, "--delay soon"), before the file changes.
      let partner: Partner;
      try {
        [partner] = parsePartners(JSON.stringify({ partners: [entry] }), 'the new partner') as [Partner];
      } catch (error) {
        if (!(error instanceof PartnersFileError)) throw error;
        throw new UsageError(error.message);
      }
      next = [...partners, partner];
      io.stdout(`${secret}\n`);
      io.stderr(`Added ${describePartner(partner)} to ${path}. The key above is shown only now; give it to the partner (Authorization: Bearer <key>, or ?key=<key>). Restart wirefeed to serve its feeds at /partners/${id}/.\n`);
    }
    await writeFileAtomic(dirname(path), basename(path), `${JSON.stringify({ partners: next.map(partnerEntry) }, null, 2)}\n`);
    if (action === 'remove') io.stderr(`Removed partner "${id}" from ${path}. Restart wirefeed to stop serving its feeds.\n`);
    return 0;
  });
}

import { hashSecret } from '../model/secret.js';
import { loadPartnersFile, parsePartners, partnerEntry, PartnersFileError, type Partner } from '../partners/partner.js';
import type { CliIo } from './cli-io.js';
import { newSecret } from './keys.js';
import { runSecretFileCommand, type SecretFileCommand } from './secret-file-command.js';

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

const PARTNERS_COMMAND: SecretFileCommand<Partner> = {
  name: 'partners',
  usage: PARTNERS_USAGE,
  variable: 'PARTNERS_FILE',
  options: {
    service: { type: 'string', multiple: true },
    section: { type: 'string', multiple: true },
    language: { type: 'string', multiple: true },
    content: { type: 'string' },
    images: { type: 'string' },
    delay: { type: 'string' },
  },
  load: loadPartnersFile,
  FileError: PartnersFileError,
  describe: describePartner,
  make: (id, hash, values) => {
    const entry = {
      id,
      hash,
      ...(values.service === undefined ? {} : { services: values.service }),
      ...(values.section === undefined ? {} : { sections: values.section }),
      ...(values.language === undefined ? {} : { languages: values.language }),
      ...(values.content === undefined ? {} : { content: values.content }),
      ...(values.images === undefined ? {} : { images: values.images }),
      ...(values.delay === undefined ? {} : { delay: values.delay }),
    };
    // "--delay soon", "--content teaser": refused as the server would refuse them.
    return parsePartners(JSON.stringify({ partners: [entry] }), 'the new partner')[0] as Partner;
  },
  serialise: (partners) => `${JSON.stringify({ partners: partners.map(partnerEntry) }, null, 2)}\n`,
  messages: {
    missing: (path, id) => `wirefeed partners: ${path} has no partner "${id}"\n`,
    exists: (path, id) => `wirefeed partners: ${path} already has a partner "${id}"; to give it a new key, remove it and add it again\n`,
    added: (partner, path) =>
      `Added ${describePartner(partner)} to ${path}. The key above is shown only now; give it to the partner (Authorization: Bearer <key>, or ?key=<key>). Restart wirefeed to serve its feeds at /partners/${partner.id}/.\n`,
    removed: (path, id) => `Removed partner "${id}" from ${path}. Restart wirefeed to stop serving its feeds.\n`,
  },
};

/** `wirefeed partners add|remove|list`. Exit codes: 0 done, 1 the partners file cannot be used, 2 bad command line. */
export function runPartners(argv: readonly string[], io: CliIo): Promise<number> {
  return runSecretFileCommand(PARTNERS_COMMAND, argv, io, { make: newSecret, hash: hashSecret });
}

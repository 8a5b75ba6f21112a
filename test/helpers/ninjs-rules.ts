import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * The rules of IPTC ninjs 3.1 that wirefeed's documents touch, restated for
 * the tests from the specification (not IPTC's schema file): `uri` is the one
 * required property and is a URI; a document has only the properties ninjs
 * defines; dates are RFC 3339 date-times; headlines, descriptions and bodies
 * are objects with a `value`; people and subjects carry name, rel, uri,
 * literal; a rendition needs a `name`; an association is itself a ninjs
 * object that needs `name` and `uri`. A dev check against IPTC's published
 * schema (ninjs-schema_3.1.json) gave the same verdict on the sample data.
 */
const NINJS_PROPERTIES = [
  'uri', 'type', 'representationType', 'profile', 'version', 'firstCreated', 'versionCreated', 'contentCreated', 'embargoedUntil',
  'pubStatus', 'urgency', 'copyrightHolder', 'copyrightNotice', 'usageTerms', 'edNote', 'language', 'descriptions', 'bodies',
  'headlines', 'people', 'organisations', 'places', 'subjects', 'events', 'eventDetails', 'plannedCoverage', 'objects',
  'infoSources', 'title', 'by', 'slugline', 'located', 'renditions', 'associations', 'altIds', 'trustIndicators', 'standard',
  'genres', 'expires', 'rightsInfo', 'digitalSourceType',
];
const text = (extra: Record<string, unknown> = {}) => ({
  type: 'array',
  items: { type: 'object', required: ['value'], additionalProperties: false, properties: { role: { type: 'string' }, contentType: { type: 'string' }, value: { type: 'string' }, ...extra } },
});
const concept = { type: 'array', items: { type: 'object', additionalProperties: false, properties: { name: { type: 'string' }, rel: { type: 'string' }, uri: { type: 'string', format: 'uri' }, literal: { type: 'string' } } } };
const properties = {
  uri: { type: 'string', format: 'uri' },
  type: { enum: ['text', 'audio', 'video', 'picture', 'graphic', 'composite', 'component', 'event', 'planning'] },
  representationType: { enum: ['full', 'partial'] },
  pubStatus: { enum: ['usable', 'withheld', 'canceled'] },
  firstCreated: { type: 'string', format: 'date-time' },
  versionCreated: { type: 'string', format: 'date-time' },
  language: { type: 'string' },
  by: { type: 'string' },
  copyrightHolder: { type: 'string' },
  copyrightNotice: { type: 'string' },
  headlines: text(),
  descriptions: text(),
  bodies: text({ charCount: { type: 'integer' }, wordCount: { type: 'integer' } }),
  people: concept,
  subjects: concept,
  standard: { type: 'object', additionalProperties: false, properties: { name: { type: 'string' }, version: { type: 'string' }, schema: { type: 'string', format: 'uri' } } },
  renditions: {
    type: 'array',
    items: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: { name: { type: 'string' }, href: { type: 'string', format: 'uri' }, contentType: { type: 'string' }, title: { type: 'string' }, width: { type: 'integer' }, height: { type: 'integer' }, sizeInBytes: { type: 'integer' } },
    },
  },
  associations: { type: 'array', items: { $ref: '#/$defs/association' } },
};
const rules = {
  $defs: {
    // An association is a ninjs object that also has its own name (required) and rel.
    association: {
      type: 'object',
      required: ['name', 'uri'],
      propertyNames: { enum: [...NINJS_PROPERTIES, 'name', 'rel'] },
      properties: { ...properties, name: { type: 'string' }, rel: { type: 'string' } },
    },
  },
  type: 'object',
  required: ['uri'],
  propertyNames: { enum: NINJS_PROPERTIES },
  properties,
};

const ajv = new Ajv2020.default({ allErrors: true, strict: false });
addFormats.default(ajv);
const validate = ajv.compile(rules);

/** Problems of a ninjs document against the 3.1 rules above; [] when it follows them. */
export function ninjsProblems(body: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (error) {
    return [`not JSON: ${(error as Error).message}`];
  }
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

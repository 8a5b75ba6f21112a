import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createWirefeed, OPTION_VARIABLES, WirefeedOptionError } from '../../src/index.js';
import { checkOptions, OPTION_TYPES } from '../../src/wirefeed-options.js';
import { SAMPLE_DIR } from '../helpers/sample.js';

/** Every createWirefeed option is checked when it is called, so a bad one is a rejected promise, never a crash of the host later. */
const SITE_URL = 'https://news.example.org/feeds';

/** A value of each type that the option's type refuses, and one it accepts. */
const SAMPLES = {
  string: { bad: 5, good: 'x' },
  number: { bad: '5', good: 5 },
  boolean: { bad: 'yes', good: true },
  proxies: { bad: { hops: 1 }, good: ['10.0.0.0/8'] },
  stream: { bad: 5, good: new Writable({ write: (_chunk, _encoding, done) => done() }) },
} as const;

async function refusal(options: Record<string, unknown>): Promise<WirefeedOptionError> {
  const error = await createWirefeed({ dataDir: SAMPLE_DIR, siteUrl: SITE_URL, watch: false, logLevel: 'silent', ...options } as never).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WirefeedOptionError);
  return error as WirefeedOptionError;
}

describe('createWirefeed checks every option when called', () => {
  it('the type table names every option there is (and every option with a variable)', () => {
    expect(Object.keys(OPTION_TYPES).sort()).toEqual([...Object.keys(OPTION_VARIABLES), 'logDestination'].sort());
  });

  it.each(Object.entries(OPTION_TYPES))('%s (%s): a value of the wrong type is refused, naming the option and what it must be', async (option, type) => {
    const error = await refusal({ [option]: SAMPLES[type].bad });
    expect(error.option).toBe(option);
    expect(error.message).toMatch(new RegExp(`^createWirefeed: option ${option} must be .+, got `));
    // A value of the right type passes the type check (the value itself is then checked as its variable is).
    expect(() => checkOptions({ [option]: SAMPLES[type].good })).not.toThrow();
  });

  it('a log destination without a write function is refused at once, not at the first log line (which killed the host)', async () => {
    const error = await refusal({ logDestination: 5 });
    expect(error.message).toBe('createWirefeed: option logDestination must be a writable stream (an object with a write function), got 5');
    await expect(refusal({ logDestination: { end: () => undefined } })).resolves.toHaveProperty('message', expect.stringMatching(/got an object without a write function$/));
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf'])('an option named %s (a name every object inherits) is not a wirefeed option', async (name) => {
    // Own-key syntax: `{ constructor: … }` makes an own property, as a host's spread of parsed JSON would.
    const options = JSON.parse(`{${JSON.stringify(name)}: "x"}`) as Record<string, unknown>;
    const error = await refusal(options);
    expect(error.message).toMatch(new RegExp(`^createWirefeed: option ${name} is not a wirefeed option \\(they are dataDir, `));
  });

  it('options that are not an object are refused', async () => {
    await expect(createWirefeed(null as never)).rejects.toThrow(/^createWirefeed: option \(options\) must be an object of settings, got null$/);
    await expect(createWirefeed([] as never)).rejects.toBeInstanceOf(WirefeedOptionError);
  });

  it('numbers and booleans as their type, and an undefined option, are accepted as before', () => {
    expect(() => checkOptions({ feedMaxAge: 0, watch: false, trustProxy: 1, siteUrl: undefined })).not.toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('ACTIVITYPUB', () => {
  it('is off unless set to true', () => {
    expect(loadConfig({}).activitypub).toBe(false);
    expect(loadConfig({ ACTIVITYPUB: 'true' }).activitypub).toBe(true);
    expect(loadConfig({ ACTIVITYPUB: 'false' }).activitypub).toBe(false);
  });

  it('refuses a value that is not a boolean, naming the variable', () => {
    expect(() => loadConfig({ ACTIVITYPUB: 'mastodon' })).toThrow(ConfigError);
    expect(() => loadConfig({ ACTIVITYPUB: 'mastodon' })).toThrow('ACTIVITYPUB');
  });
});

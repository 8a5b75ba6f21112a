import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('newsroom write settings', () => {
  it('defaults: no keys file, If-Match optional, every version kept', () => {
    const config = loadConfig({});
    expect(config.keysFile).toBeUndefined();
    expect(config.requireIfMatch).toBe(false);
    expect(config.historyKeep).toBeUndefined();
  });

  it('reads KEYS_FILE, REQUIRE_IF_MATCH and HISTORY_KEEP (0 keeps all)', () => {
    const config = loadConfig({ KEYS_FILE: ' /etc/wirefeed/keys.json ', REQUIRE_IF_MATCH: 'true', HISTORY_KEEP: '20' });
    expect(config).toMatchObject({ keysFile: '/etc/wirefeed/keys.json', requireIfMatch: true, historyKeep: 20 });
    expect(loadConfig({ HISTORY_KEEP: '0' }).historyKeep).toBeUndefined();
  });

  it.each([
    ['REQUIRE_IF_MATCH', 'maybe'],
    ['HISTORY_KEEP', 'ten'],
    ['HISTORY_KEEP', '-1'],
  ])('%s=%s stops the start naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});

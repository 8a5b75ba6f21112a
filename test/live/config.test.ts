import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('configuration of reload and ingest', () => {
  it('defaults: rescan every 30 s, watcher on, API off, 1 MiB bodies', () => {
    const config = loadConfig({});
    expect(config.rescanIntervalSeconds).toBe(30);
    expect(config.watch).toBe(true);
    expect(config.ingestToken).toBeUndefined();
    expect(config.ingestMaxBytes).toBe(1024 * 1024);
  });

  it('reads the variables', () => {
    const config = loadConfig({ RESCAN_INTERVAL: '0', WATCH: 'off', INGEST_TOKEN: 'a-long-enough-secret', INGEST_MAX_BYTES: '65536' });
    expect(config).toMatchObject({ rescanIntervalSeconds: 0, watch: false, ingestToken: 'a-long-enough-secret', ingestMaxBytes: 65536 });
  });

  it.each([
    ['RESCAN_INTERVAL', 'soon'],
    ['RESCAN_INTERVAL', '-1'],
    ['RESCAN_INTERVAL', '100000'],
    ['WATCH', 'maybe'],
    ['INGEST_TOKEN', 'short'],
    ['INGEST_TOKEN', 'has a space in the middle'],
    ['INGEST_MAX_BYTES', '0'],
    ['INGEST_MAX_BYTES', '99999999'],
  ])('refuses %s=%j, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^environment variable ${name} `));
  });

  it('CACHE_DIR: unset by default (the store picks a folder), a path when set, refused inside DATA_DIR/articles', () => {
    expect(loadConfig({}).cacheDir).toBeUndefined();
    expect(loadConfig({ CACHE_DIR: '/var/cache/wirefeed' }).cacheDir).toBe('/var/cache/wirefeed');
    expect(() => loadConfig({ DATA_DIR: '/srv/data', CACHE_DIR: '/srv/data/articles' })).toThrow(/^environment variable CACHE_DIR must not be DATA_DIR\/articles/);
    expect(() => loadConfig({ DATA_DIR: '/srv/data', CACHE_DIR: '/srv/data/articles/.cache' })).toThrow(ConfigError);
    expect(loadConfig({ DATA_DIR: '/srv/data', CACHE_DIR: '/srv/data/.cache' }).cacheDir).toBe('/srv/data/.cache');
  });
});

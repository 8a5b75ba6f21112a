import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('feed caching and WebSub configuration', () => {
  it('has defaults', () => {
    const config = loadConfig({});
    expect(config.feedCaching).toEqual({ maxAge: 300, staleWhileRevalidate: 60, staleIfError: 86400, cacheEntries: 1000, cacheBytes: 64 * 1024 * 1024 });
    expect(config.websubHub).toBeUndefined();
    expect(config.websubAttempts).toBe(5);
  });

  it('reads every variable', () => {
    const config = loadConfig({ FEED_MAX_AGE: '60', FEED_STALE_WHILE_REVALIDATE: '0', FEED_STALE_IF_ERROR: '3600', FEED_CACHE_ENTRIES: '50', FEED_CACHE_MB: '8', WEBSUB_HUB: 'https://hub.example.net/publish?key=1', WEBSUB_ATTEMPTS: '3' });
    expect(config.feedCaching).toEqual({ maxAge: 60, staleWhileRevalidate: 0, staleIfError: 3600, cacheEntries: 50, cacheBytes: 8 * 1024 * 1024 });
    expect(config.websubHub).toBe('https://hub.example.net/publish?key=1');
    expect(config.websubAttempts).toBe(3);
  });

  it.each([
    ['FEED_MAX_AGE', '-1'],
    ['FEED_MAX_AGE', 'five minutes'],
    ['FEED_STALE_IF_ERROR', '99999999999'],
    ['FEED_CACHE_ENTRIES', '0'],
    ['FEED_CACHE_MB', '1.5'],
    ['WEBSUB_HUB', 'ftp://hub.example.net/'],
    ['WEBSUB_HUB', 'not a url'],
    ['WEBSUB_ATTEMPTS', '0'],
  ])('refuses %s=%j, naming the variable', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`environment variable ${variable} `));
  });
});

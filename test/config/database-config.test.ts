import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('DATABASE_URL and DATABASE_POOL_SIZE', () => {
  it('default to the files backend and a pool of 10', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.databasePoolSize).toBe(10);
  });

  it('read a postgres URL and a pool size', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://wf:pw@db.internal:5433/news', DATABASE_POOL_SIZE: '25' });
    expect(config.databaseUrl).toBe('postgresql://wf:pw@db.internal:5433/news');
    expect(config.databasePoolSize).toBe(25);
  });

  it('refuse a bad value naming the variable, never printing the password', () => {
    for (const [value, pattern] of [
      ['mysql://wf:hunter2-secret@db/news', /DATABASE_URL must start with postgres:\/\//],
      ['not a url hunter2-secret', /DATABASE_URL must be a URL like/],
    ] as const) {
      const error = (() => {
        try {
          loadConfig({ DATABASE_URL: value });
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect(error?.message).toMatch(pattern);
      expect(error?.message).not.toContain('hunter2-secret');
    }
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow('environment variable DATABASE_POOL_SIZE must be a whole number from 1 to 1000, got "0"');
    expect(() => loadConfig({ DATABASE_POOL_SIZE: 'ten' })).toThrow(ConfigError);
  });
});

describe('PURGE_WEBHOOK', () => {
  it('is read as an http(s) URL, with the database or with the files backend (one process purges on its own)', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db/news', PURGE_WEBHOOK: 'https://cdn.example.net/purge?service=feeds' }).purge.webhook).toBe('https://cdn.example.net/purge?service=feeds');
    expect(loadConfig({ PURGE_WEBHOOK: 'https://cdn.example.net/purge' }).purge.webhook).toBe('https://cdn.example.net/purge');
    expect(loadConfig({}).purge.webhook).toBeUndefined();
  });

  it('is refused, naming the variable, when it is not a URL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/news', PURGE_WEBHOOK: 'ftp://cdn/purge' })).toThrow('environment variable PURGE_WEBHOOK must be an absolute http(s) URL');
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { backoffDelay, delayUntil, FORM_TYPE, postOnce, publishForm, retrySettingsOf } from '../../src/websub/hub-ping.js';

describe('hub-ping: what both publishers share', () => {
  it('backs off from retryDelayMs, doubling per failed attempt, up to maxRetryDelayMs', () => {
    const settings = { retryDelayMs: 1000, maxRetryDelayMs: 5000 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, settings))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('waits at least 1 ms for a release and at most what setTimeout can (2^31 - 1 ms)', () => {
    const now = new Date('2024-05-01T00:00:00Z');
    expect(delayUntil(new Date('2024-05-01T00:00:02Z'), now)).toBe(2000);
    expect(delayUntil(new Date('2024-04-30T00:00:00Z'), now)).toBe(1);
    expect(delayUntil(new Date('2099-01-01T00:00:00Z'), now)).toBe(2 ** 31 - 1);
  });

  it('fills in the retry defaults: 5 attempts, 1 s doubling to 5 min, 10 s per request', () => {
    expect(retrySettingsOf({})).toEqual({ attempts: 5, retryDelayMs: 1000, maxRetryDelayMs: 300_000, timeoutMs: 10_000 });
    expect(retrySettingsOf({ attempts: 1 }).attempts).toBe(1);
  });

  it('pings in the form every hub accepts', () => {
    expect(publishForm('https://feeds.example.org/rss.xml?a=1&b=2')).toBe('hub.mode=publish&hub.url=https%3A%2F%2Ffeeds.example.org%2Frss.xml%3Fa%3D1%26b%3D2');
  });

  it('reports an unreachable target as a reason, never a throw', async () => {
    const result = await postOnce('http://127.0.0.1:1/publish', 'x', 'text/plain', 1000);
    expect(result.ok).toBe(false);
  });

  it('sends 20,000 pings without growing the heap by more than 30 MB (fetch grew it by about 80 MB for 40,000)', async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => ((res.statusCode = 204), res.end()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/publish`;
    try {
      const before = process.memoryUsage().heapTotal;
      for (let i = 0; i < 20_000; i++) expect((await postOnce(url, publishForm(`https://feeds.example.org/tags/t${i}/rss.xml`), FORM_TYPE, 10_000)).ok).toBe(true);
      expect((process.memoryUsage().heapTotal - before) / 1048576).toBeLessThan(30);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }, 30_000);
});

import { describe, expect, it } from 'vitest';
import { StoreTimeoutError, StoreUnavailableError } from '../../src/store/errors.js';
import { DatabaseOutage } from '../../src/store/postgres/pool.js';

describe('the database outage log', () => {
  it('says once that the database went away and once that it came back, however many statements fail meanwhile', async () => {
    const lines: string[] = [];
    let now = 0;
    const outage = new DatabaseOutage('127.0.0.1:5432/news', (line) => lines.push(line), () => now);
    await outage.watch(async () => 1);
    for (let i = 0; i < 500; i += 1) {
      now = i * 40;
      await expect(outage.watch(() => Promise.reject(new StoreUnavailableError('connect ECONNREFUSED')))).rejects.toThrow();
    }
    expect(outage.down).toBe(true);
    now = 20_000;
    await outage.watch(async () => 1);
    await outage.watch(async () => 1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/127\.0\.0\.1:5432\/news cannot be reached since 1970-01-01T00:00:00\.000Z \(connect ECONNREFUSED\)/);
    expect(lines[1]).toMatch(/answers again \(unreachable for 20\.0 s\)/);
  });

  it('logs nothing for a connection cut that the next statement gets past within a second (pg_terminate_backend)', async () => {
    const lines: string[] = [];
    let now = 0;
    const outage = new DatabaseOutage('db', (line) => lines.push(line), () => now);
    for (let i = 0; i < 10; i += 1) {
      now += 300;
      await expect(outage.watch(() => Promise.reject(new StoreUnavailableError('Connection terminated unexpectedly')))).rejects.toThrow();
      now += 100;
      await outage.watch(async () => 1);
    }
    expect(lines).toEqual([]);
  });

  it('counts an error the database answered with (a constraint) as the database being up', async () => {
    const lines: string[] = [];
    let now = 0;
    const outage = new DatabaseOutage('db', (line) => lines.push(line), () => now);
    await expect(outage.watch(() => Promise.reject(new StoreUnavailableError('down')))).rejects.toThrow();
    now = 5000;
    await expect(outage.watch(() => Promise.reject(new StoreUnavailableError('down')))).rejects.toThrow();
    await expect(outage.watch(() => Promise.reject(new Error('duplicate key')))).rejects.toThrow('duplicate key');
    expect(outage.down).toBe(false);
    expect(lines).toHaveLength(2);
  });
});

describe('a lock or statement timeout is not an outage', () => {
  it('does not mark the database down, however long timeouts go on, and ends an outage going on (the database answered)', async () => {
    const lines: string[] = [];
    let now = 0;
    const outage = new DatabaseOutage('db', (line) => lines.push(line), () => now);
    for (let i = 0; i < 50; i += 1) {
      now = i * 100;
      await expect(outage.watch(() => Promise.reject(new StoreTimeoutError('canceling statement due to lock timeout')))).rejects.toThrow(StoreUnavailableError);
      expect(outage.down).toBe(false);
    }
    expect(lines).toEqual([]);
    await expect(outage.watch(() => Promise.reject(new StoreUnavailableError('connect ECONNREFUSED')))).rejects.toThrow();
    expect(outage.down).toBe(true);
    await expect(outage.watch(() => Promise.reject(new StoreTimeoutError('canceling statement due to statement timeout')))).rejects.toThrow();
    expect(outage.down).toBe(false);
  });
});

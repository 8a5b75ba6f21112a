import { describe, expect, it } from 'vitest';
import { describeFailure, describeTarget } from '../../src/store/postgres/pool.js';

/** What migrate, sync and gen-corpus print when the database fails: where and what, never the password. */
describe('database failure messages', () => {
  const url = 'postgres://editor:s3cret-pass@db.example.org:6543/news';

  it('name the host, port and database, and drop the password even where the error quotes the URL', () => {
    const line = describeFailure(url, new Error(`could not connect to ${url}: timeout`));
    expect(line).toBe('db.example.org:6543/news: could not connect to (DATABASE_URL): timeout');
    expect(line).not.toContain('s3cret-pass');
    // The three commands each replaced the first occurrence only; a message quoting the URL twice kept the second.
    expect(describeFailure(url, new Error(`${url} refused; retrying ${url}`))).not.toContain('s3cret-pass');
  });

  it('say so when the URL cannot be read, still without repeating it', () => {
    const bad = 'not a url with s3cret-pass';
    expect(describeTarget(bad)).toBe('(an unreadable DATABASE_URL)');
    expect(describeFailure(bad, new Error(`bad ${bad}`))).not.toContain('s3cret-pass');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDeferring, DEFERRED_VALUE } from '../../src/load/files.js';

/** What decodeDeferring must give whenever it gives anything: the record JSON.parse reads, body replaced. */
function expected(text: string): unknown {
  const record = JSON.parse(text) as Record<string, unknown>;
  return { ...record, body: DEFERRED_VALUE };
}

const decode = (text: string) => decodeDeferring(Buffer.from(text, 'utf8'), 'body');

describe('decodeDeferring (records decoded without their body)', () => {
  it('reads a typical record, and leaves the body out', () => {
    const text = JSON.stringify({ id: 'a', body: '<p class="x">Hello \\ "world"</p>\n<p>héllo 서울 \u2028</p>', tags: ['x'] }, null, 2);
    expect(decode(text)).toEqual(expected(text));
  });

  it('agrees with JSON.parse on any record it accepts, whatever the body holds', () => {
    const record = fc.record({
      id: fc.string(),
      body: fc.oneof(fc.string({ unit: 'binary', minLength: 1 }), fc.string({ unit: 'binary' }).map((s) => `<p>${s}`)),
      tags: fc.array(fc.string({ unit: 'grapheme' })),
      nested: fc.option(fc.record({ body: fc.string() }), { nil: undefined }),
    });
    let taken = 0;
    fc.assert(
      fc.property(record, fc.constantFrom(0, 2), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        const result = decode(text);
        if (result !== undefined) {
          taken++;
          expect(result).toEqual(expected(text));
        }
      }),
      { numRuns: 500 },
    );
    // The fast path must actually have been taken, or this test proves nothing.
    expect(taken).toBeGreaterThan(20);
  });

  it.each([
    ['a body starting with white space (it may be blank)', '{"id":"a","body":"   "}'],
    ['a body starting with an escape', '{"id":"a","body":"\\u0020"}'],
    ['a body that is not a string', '{"id":"a","body":["<p>x</p>"]}'],
    ['two body keys', '{"body":"<p>a</p>","body":"<p>b</p>"}'],
    ['a body key spelt with an escape after the plain one', '{"body":"<p>a</p>","bo\\u0064y":"<p>b</p>"}'],
    ['only a nested body', '{"id":"a","images":[{"body":"<p>x</p>"}]}'],
    ['a raw control character in the body', '{"id":"a","body":"<p>a\tb</p>"}'],
    ['a bad escape in the body', '{"id":"a","body":"<p>\\x41</p>"}'],
    ['a broken \\u escape', '{"id":"a","body":"<p>\\u12G4</p>"}'],
    ['an unterminated body', '{"id":"a","body":"<p>abc'],
    ['a syntax error elsewhere', '{"id":"a",,"body":"<p>x</p>"}'],
    ['a byte order mark', '\uFEFF{"id":"a","body":"<p>x</p>"}'],
    ['a top-level array', '["body", "x"]'],
  ])('leaves %s to the full decoder', (_what, text) => {
    expect(decode(text)).toBeUndefined();
  });

  it('leaves invalid UTF-8 to the full decoder (which reports the offset)', () => {
    const bytes = Buffer.concat([Buffer.from('{"id":"a","body":"<p>'), Buffer.from([0xc3, 0x28]), Buffer.from('</p>"}')]);
    expect(decodeDeferring(bytes, 'body')).toBeUndefined();
  });

  it('takes the escaped key when it comes last, as JSON.parse does', () => {
    // The placeholder is overwritten by the later key, so the fast path must refuse.
    expect(decode('{"body":"<p>a</p>","bo\\u0064y":"<p>b</p>"}')).toBeUndefined();
    // When the plain key comes last, JSON.parse keeps it: the fast path may answer, and must agree.
    const text = '{"bo\\u0064y":"<p>b</p>","body":"<p>a</p>"}';
    const result = decode(text);
    if (result !== undefined) expect(result).toEqual(expected(text));
  });
});

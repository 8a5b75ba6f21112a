import { describe, expect, it } from 'vitest';
import { escapeLines, escapeLogText } from '../../src/model/log-line.js';

describe('log text', () => {
  it('escapes controls, C1, DEL, separators and bidi overrides visibly, and backslashes so no escape can be forged', () => {
    expect(escapeLogText('a\nrejected: forged\r\t\u001b[31m\u007f\u0085\u2028\u202e\\n')).toBe('a\\nrejected: forged\\r\\t\\x1b[31m\\x7f\\x85\\u2028\\u202e\\\\n');
    expect(escapeLogText('plain text, 한국어, ئۇيغۇرچە 😀')).toBe('plain text, 한국어, ئۇيغۇرچە 😀');
  });

  it('keeps the line breaks of multi-line terminal output, escaping each line', () => {
    expect(escapeLines('headline: A\u001b[2J\nimage: b\r.jpg\n')).toBe('headline: A\\x1b[2J\nimage: b\\r.jpg\n');
  });
});

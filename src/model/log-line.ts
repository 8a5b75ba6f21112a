/**
 * Control characters as visible escapes: a file name or header holding a
 * newline, CR or ESC would otherwise forge log lines or send escape codes to
 * the terminal reading the log. C0, DEL and C1 become `\n`, `\r`, `\t` or
 * `\xHH` / `\u00HH`; a backslash is doubled so an escape cannot be forged
 * either. Line and paragraph separators (U+2028, U+2029) and the bidi
 * overrides, which reorder what a terminal shows, are escaped as `\uHHHH`.
 */
export function escapeLogText(text: string): string {
  return text.replace(/[\\\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** The server's log sink: one escaped line on stderr per call, whatever the line holds. */
export function logToStderr(line: string): void {
  process.stderr.write(`${escapeLogText(line)}\n`);
}

/** The same for what goes to stdout (the start-up line). */
export function logToStdout(line: string): void {
  process.stdout.write(`${escapeLogText(line)}\n`);
}

/** Multi-line output for a terminal (the import command's report): each line escaped, the line breaks kept. */
export function escapeLines(text: string): string {
  return text.split('\n').map(escapeLogText).join('\n');
}

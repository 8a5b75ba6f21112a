import { partitionPoint } from '../model/partition-point.js';
/** A place in a text file as editors count it: 1-based line, 1-based column in UTF-16 code units. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/**
 * Where each field of a JSON document is, named the way the loader names
 * fields in its messages: `id`, `images[0].url`, `tags[2]`. A member maps
 * to its key (where an editor should put the cursor to fix or remove it),
 * an array element to its value; the empty path is the document itself.
 *
 * A small scanner rather than a dependency: the document has already been
 * parsed by JSON.parse (so it is well-formed), and all that is needed is
 * the offset where each path starts, about eighty lines. Of duplicate keys
 * the last wins, as in JSON.parse.
 */
export function locateFields(text: string): ReadonlyMap<string, TextPosition> {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const offsets = new Map<string, number>();
  let i = 0;
  const skipSpace = (): void => {
    while (i < source.length && ' \t\r\n'.includes(source[i] as string)) i += 1;
  };
  const readString = (): string => {
    const start = i;
    i += 1;
    while (i < source.length && source[i] !== '"') i += source[i] === '\\' ? 2 : 1;
    i += 1;
    return JSON.parse(source.slice(start, i)) as string;
  };
  const readValue = (path: string, depth: number): void => {
    skipSpace();
    // Records are a few levels deep; a hostile nesting depth is left unlocated rather than overflowing the stack.
    if (depth > 64) return void (i = source.length);
    const open = source[i];
    if (open === '{') {
      i += 1;
      for (skipSpace(); i < source.length && source[i] !== '}'; skipSpace()) {
        if (source[i] === ',') {
          i += 1;
          continue;
        }
        const keyAt = i;
        const key = readString();
        const member = path === '' ? key : `${path}.${key}`;
        offsets.set(member, keyAt);
        skipSpace();
        i += 1; // ':'
        readValue(member, depth + 1);
      }
      i += 1;
    } else if (open === '[') {
      i += 1;
      let index = 0;
      for (skipSpace(); i < source.length && source[i] !== ']'; skipSpace()) {
        if (source[i] === ',') {
          i += 1;
          continue;
        }
        const element = `${path}[${index}]`;
        offsets.set(element, i);
        index += 1;
        readValue(element, depth + 1);
      }
      i += 1;
    } else if (open === '"') {
      readString();
    } else {
      while (i < source.length && !',}] \t\r\n'.includes(source[i] as string)) i += 1;
    }
  };
  skipSpace();
  offsets.set('', i);
  readValue('', 0);
  const lineStarts = [0];
  for (let k = 0; k < source.length; k += 1) if (source.charCodeAt(k) === 0x0a) lineStarts.push(k + 1);
  const positions = new Map<string, TextPosition>();
  for (const [path, offset] of offsets) positions.set(path, positionAt(lineStarts, offset));
  return positions;
}

function positionAt(lineStarts: readonly number[], offset: number): TextPosition {
  // The last line starting at or before the offset (line 1 starts at 0, so there is one).
  const line = partitionPoint(lineStarts.length, (i) => (lineStarts[i] as number) <= offset) - 1;
  return { line: line + 1, column: offset - (lineStarts[line] as number) + 1 };
}

/**
 * The position of `field`, or of its nearest enclosing field that exists
 * (a missing `images[0].url` points at `images[0]`; a missing top-level
 * field at the record itself).
 */
export function positionOf(positions: ReadonlyMap<string, TextPosition>, field: string): TextPosition {
  for (let path = field; ; path = parentPath(path)) {
    const found = positions.get(path);
    if (found !== undefined) return found;
    if (path === '') return { line: 1, column: 1 };
  }
}

function parentPath(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut <= 0 ? '' : path.slice(0, cut);
}

/** A JSON syntax error names its line and column in its message; other whole-file problems sit at 1:1. */
export function syntaxPosition(problem: string): TextPosition {
  const match = /at line (\d+), column (\d+)/.exec(problem);
  return match ? { line: Number(match[1]), column: Number(match[2]) } : { line: 1, column: 1 };
}

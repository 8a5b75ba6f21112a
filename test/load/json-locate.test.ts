import { describe, expect, it } from 'vitest';
import { locateFields, positionOf } from '../../src/load/json-locate.js';

describe('locateFields', () => {
  it('finds members at their key and array elements at their value, nested, in the loader notation', () => {
    const text = '{\n  "id": "x",\n  "tags": ["a", "b"],\n  "images": [\n    { "url": "u", "width": 3 }\n  ]\n}\n';
    const at = locateFields(text);
    expect(at.get('')).toEqual({ line: 1, column: 1 });
    expect(at.get('id')).toEqual({ line: 2, column: 3 });
    expect(at.get('tags[1]')).toEqual({ line: 3, column: 17 });
    expect(at.get('images[0]')).toEqual({ line: 5, column: 5 });
    expect(at.get('images[0].width')).toEqual({ line: 5, column: 19 });
  });

  it('is not fooled by brackets, quotes and escapes inside strings, a BOM, CRLF or minified JSON', () => {
    const text = '\uFEFF{"a":"} ] \\" [{","b":[1,{"c":null}]}';
    const at = locateFields(text);
    expect(at.get('b')).toEqual({ line: 1, column: 18 });
    expect(at.get('b[1].c')).toEqual({ line: 1, column: 26 });
    expect(locateFields('{\r\n  "a": 1\r\n}').get('a')).toEqual({ line: 2, column: 3 });
  });

  it('counts columns in UTF-16 code units, as editors do', () => {
    expect(locateFields('{"한국어": "북한", "x": 1}').get('x')).toEqual({ line: 1, column: 15 });
  });

  it('takes the last of duplicate keys, as JSON.parse does', () => {
    expect(locateFields('{"a": 1,\n"a": 2}').get('a')).toEqual({ line: 2, column: 1 });
  });

  it('falls back to the nearest field that exists', () => {
    const at = locateFields('{\n  "images": [ {} ]\n}');
    expect(positionOf(at, 'images[0].url')).toEqual({ line: 2, column: 15 });
    expect(positionOf(at, 'headline')).toEqual({ line: 1, column: 1 });
  });
});

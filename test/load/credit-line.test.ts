import { describe, expect, it } from 'vitest';
import { parseCreditLine, type CreditLineResult, type ParsedCredit } from '../../src/load/credit-line.js';

function credits(result: CreditLineResult): readonly ParsedCredit[] {
  if (!result.ok) throw new Error(`expected the line to parse, but ${JSON.stringify(result.unparsed)} was left over`);
  return result.credits;
}

function unparsed(result: CreditLineResult): string {
  if (result.ok) throw new Error(`expected an unparsed part, got credits ${JSON.stringify(result.credits)}`);
  return result.unparsed;
}

describe('parseCreditLine', () => {
  it('reads the newsroom form: reporter for an organization, translator, writer in English', () => {
    expect(credits(parseCreditLine('Reported by Hana Seo for the Korean Service. Translated by Joon Bae. Written in English by Clara Voss.'))).toEqual([
      { name: 'Hana Seo', role: 'reporter', organization: 'the Korean Service' },
      { name: 'Joon Bae', role: 'translator' },
      { name: 'Clara Voss', role: 'writer' },
    ]);
  });

  it('reads two reporters joined by "and", sharing the organization', () => {
    expect(credits(parseCreditLine('Reported by Aziz Tursun and Mehmet Kaya for the Uyghur Service.'))).toEqual([
      { name: 'Aziz Tursun', role: 'reporter', organization: 'the Uyghur Service' },
      { name: 'Mehmet Kaya', role: 'reporter', organization: 'the Uyghur Service' },
    ]);
  });

  it('reads a list "A, B and C" and the Oxford comma "A, B, and C"', () => {
    const expected = [
      { name: 'Lin Wei', role: 'reporter' },
      { name: 'Zhao Min', role: 'reporter' },
      { name: 'Peter Hall', role: 'reporter' },
    ];
    expect(credits(parseCreditLine('Reported by Lin Wei, Zhao Min and Peter Hall.'))).toEqual(expected);
    expect(credits(parseCreditLine('Reported by Lin Wei, Zhao Min, and Peter Hall.'))).toEqual(expected);
  });

  it('reads every role phrase', () => {
    expect(
      credits(parseCreditLine('Written by Ana Ruiz. Edited by Tom Berg. Photos by Sun Park. Produced by Mia Chen. Translated from Burmese by Kyaw Min.')),
    ).toEqual([
      { name: 'Ana Ruiz', role: 'writer' },
      { name: 'Tom Berg', role: 'editor' },
      { name: 'Sun Park', role: 'photographer' },
      { name: 'Mia Chen', role: 'producer' },
      { name: 'Kyaw Min', role: 'translator' },
    ]);
  });

  it('accepts a missing final period and folds extra white space', () => {
    expect(credits(parseCreditLine('  Reported   by\tHana  Seo   for  the Korean\u00a0Service.   Edited by  Tom Berg  '))).toEqual([
      { name: 'Hana Seo', role: 'reporter', organization: 'the Korean Service' },
      { name: 'Tom Berg', role: 'editor' },
    ]);
  });

  it('keeps initials and abbreviations inside names and organizations', () => {
    expect(credits(parseCreditLine('Reported by J. R. Kim for the U.S. Desk. Written by Kim Jr.'))).toEqual([
      { name: 'J. R. Kim', role: 'reporter', organization: 'the U.S. Desk' },
      { name: 'Kim Jr.', role: 'writer' },
    ]);
  });

  it('accepts semicolons between credit sentences', () => {
    expect(credits(parseCreditLine('Reported by Hana Seo; translated by Joon Bae'))).toEqual([
      { name: 'Hana Seo', role: 'reporter' },
      { name: 'Joon Bae', role: 'translator' },
    ]);
  });

  it('keeps names in any script', () => {
    expect(credits(parseCreditLine('Reported by 박민서 and ئابدۇرېھىم for the Korean Service.'))).toEqual([
      { name: '박민서', role: 'reporter', organization: 'the Korean Service' },
      { name: 'ئابدۇرېھىم', role: 'reporter', organization: 'the Korean Service' },
    ]);
  });

  it('names a line that is not a credit line at all', () => {
    expect(unparsed(parseCreditLine('Copyright 2019 Harbor Light News.'))).toBe('Copyright 2019 Harbor Light News.');
    expect(parseCreditLine('   ').ok).toBe(false);
  });

  it('names an unknown phrase after good credits instead of folding it into a name', () => {
    expect(unparsed(parseCreditLine('Reported by Hana Seo. Copyedited by Tom Berg.'))).toBe('Copyedited by Tom Berg.');
    expect(unparsed(parseCreditLine('Translated by Joon Bae. All rights reserved.'))).toBe('All rights reserved.');
  });

  it('names a phrase with no name or an empty organization', () => {
    expect(unparsed(parseCreditLine('Reported by'))).toBe('Reported by');
    expect(unparsed(parseCreditLine('Reported by Hana Seo for.'))).toBe('Hana Seo for');
    expect(unparsed(parseCreditLine('Edited by --.'))).toBe('--');
  });
});

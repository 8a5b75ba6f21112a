import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCreditLine } from '../../src/load/credit-line.js';
import { formatCreditLine } from '../../src/map/to-feed-model.js';
import { CREDIT_ROLES, type Credit } from '../../src/model/types.js';

// Name parts in several scripts, with initials, hyphens and apostrophes: what newsrooms print.
const latin = fc.constantFrom('Hana', 'Seo', 'Joon-ho', 'Bae', 'Clara', "O'Neil", 'Voss', 'Müller', 'Ñúñez', 'J.', 'R.', 'Andersen', 'Fortune', 'Byron');
const hangul = fc.constantFrom('박민서', '한지우', '이', '김영철');
const uyghur = fc.constantFrom('ئابدۇرېھىم', 'مەمەت', 'گۈلنار');
const chinese = fc.constantFrom('林伟', '赵敏', '王芳');
const burmese = fc.constantFrom('ကျော်မင်း', 'အောင်');

/** A name: 1–3 parts of one script, never ending in an initial (the final period would be the sentence's). */
const name = fc
  .oneof(fc.array(latin, { minLength: 1, maxLength: 3 }), fc.array(fc.oneof(hangul, uyghur, chinese, burmese), { minLength: 1, maxLength: 2 }))
  .map((parts) => parts.join(' '))
  .filter((n) => !n.endsWith('.'));

const organization = fc.option(
  fc.constantFrom('the Korean Service', 'RFA’s Uyghur Service', 'Harbor Light News', 'the Radio and Television Desk', 'the U.S. Bureau', '서울지국'),
  { nil: undefined },
);

const credit: fc.Arbitrary<Credit> = fc
  .record({ name, role: fc.constantFrom(...CREDIT_ROLES), organization })
  .map(({ name, role, organization }) => ({ name, role, slug: 'unused', ...(organization === undefined ? {} : { organization }) }));

describe('formatCreditLine → parseCreditLine', () => {
  it('gives back the same credits, in order, for any names, roles and organizations', () => {
    fc.assert(
      fc.property(fc.array(credit, { minLength: 1, maxLength: 8 }), fc.constantFrom('en', 'ko', 'ug'), (list, language) => {
        const line = formatCreditLine(list, language);
        const parsed = parseCreditLine(line);
        expect(parsed, line).toEqual({
          ok: true,
          credits: list.map(({ name, role, organization }) => (organization === undefined ? { name, role } : { name, role, organization })),
        });
      }),
      { numRuns: 500 },
    );
  });
});

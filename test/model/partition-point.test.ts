import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partitionPoint } from '../../src/model/partition-point.js';

describe('partitionPoint', () => {
  it('finds where a sorted list stops being below a value, as a linear scan does', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 })), fc.integer({ min: -60, max: 60 }), (values, at) => {
        const sorted = [...values].sort((a, b) => a - b);
        const linear = sorted.findIndex((v) => v >= at);
        expect(partitionPoint(sorted.length, (i) => (sorted[i] as number) < at)).toBe(linear === -1 ? sorted.length : linear);
      }),
    );
  });

  it('is 0 on an empty range and the length when the predicate always holds', () => {
    expect(partitionPoint(0, () => true)).toBe(0);
    expect(partitionPoint(7, () => true)).toBe(7);
    expect(partitionPoint(7, () => false)).toBe(0);
  });
});

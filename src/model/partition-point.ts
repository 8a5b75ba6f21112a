/**
 * The first index in [0, length) at which `before(i)` is false, for a
 * predicate that is true on a prefix and false after it (a sorted list
 * split by a condition): binary search, O(log n). `length` when it is
 * true everywhere. Every "where does this instant or cursor fall in a
 * newest-first list" question is one call of it.
 */
export function partitionPoint(length: number, before: (index: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

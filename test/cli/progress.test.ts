import { describe, expect, it } from 'vitest';
import { createProgress, describeProgress } from '../../src/cli/progress.js';

describe('progress', () => {
  it('shows count, rate and time left', () => {
    expect(describeProgress(250, 1000, 500)).toBe('250/1000 500/s 0:02 left');
    expect(describeProgress(48_000, 96_000, 4000)).toBe('48000/96000 12k/s 0:04 left');
    expect(describeProgress(10, 10, 2000)).toBe('10/10 5.0/s done');
  });

  it('redraws one line in place on a terminal, at most every 100 ms, and ends it with a new line', () => {
    let now = 0;
    let out = '';
    const progress = createProgress({ label: 'export', interactive: true, write: (t) => void (out += t), clock: () => now });
    for (let done = 1; done <= 100; done += 1) {
      now += 10;
      progress.update(done, 100);
    }
    progress.finish();
    const frames = out.split('\r').filter(Boolean);
    expect(frames.length).toBeLessThanOrEqual(12);
    expect(out).not.toMatch(/\n(?!$)/);
    expect(frames.at(-1)).toBe('export [########################] 100/100 100/s done\x1b[K\n');
    expect(frames[1]).toMatch(/^export \[#*\.+\] \d+\/100 100\/s 0:0\d left\x1b\[K$/);
  });

  it('writes plain lines in a log, one every 5 s, and a last one', () => {
    let now = 0;
    const lines: string[] = [];
    const progress = createProgress({ label: 'gen-corpus', interactive: false, write: (t) => void lines.push(t), clock: () => now });
    for (let done = 1; done <= 1000; done += 1) {
      now += 20;
      progress.update(done, 1000);
    }
    progress.finish();
    expect(lines.every((line) => line.endsWith('\n') && !line.includes('\r') && !line.includes('\x1b'))).toBe(true);
    expect(lines).toHaveLength(5);
    expect(lines.at(-1)).toBe('gen-corpus: 1000/1000 50/s done\n');
  });
});

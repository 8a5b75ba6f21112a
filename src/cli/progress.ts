/** Reports how far long work has come: a bar redrawn in place on a terminal, plain lines in a log. */
export interface Progress {
  /** `done` items of `total` so far (total may grow, as an export finds more pages). */
  update(done: number, total: number): void;
  /** The work is over: the bar's last state stays on screen, followed by a new line. */
  finish(): void;
}

export interface ProgressOptions {
  readonly label: string;
  readonly write: (text: string) => void;
  /** On a terminal: redraw one line with \r. Otherwise: a plain line now and then. */
  readonly interactive: boolean;
  readonly clock?: () => number;
  /** Least time between two redraws on a terminal; a redraw per item would cost more than the work. */
  readonly redrawMs?: number;
  /** Least time between two plain lines: a log should not get one per item. */
  readonly lineMs?: number;
}

const BAR_WIDTH = 24;

/** Count, rate and time left, as both forms show them. */
export function describeProgress(done: number, total: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const left = rate > 0 && total > done ? (total - done) / rate : 0;
  return `${done}/${total} ${formatRate(rate)}/s ${done >= total ? 'done' : `${formatDuration(left)} left`}`;
}

export function createProgress(options: ProgressOptions): Progress {
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  let last = -Infinity;
  let state = { done: 0, total: 0 };
  let drawn = false;
  const draw = (now: number): void => {
    const { done, total } = state;
    const text = describeProgress(done, total, now - started);
    if (options.interactive) {
      const filled = total > 0 ? Math.round((Math.min(done, total) / total) * BAR_WIDTH) : 0;
      // \x1b[K clears what a longer previous line left behind.
      options.write(`\r${options.label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${text}\x1b[K`);
    } else {
      options.write(`${options.label}: ${text}\n`);
    }
    drawn = true;
    last = now;
  };
  return {
    update(done, total) {
      state = { done, total };
      const now = clock();
      if (now - last >= (options.interactive ? (options.redrawMs ?? 100) : (options.lineMs ?? 5000))) draw(now);
    },
    finish() {
      const now = clock();
      if (!drawn || last !== now) draw(now);
      if (options.interactive) options.write('\n');
    },
  };
}

function formatRate(rate: number): string {
  return rate >= 10_000 ? `${(rate / 1000).toFixed(0)}k` : rate >= 1000 ? `${(rate / 1000).toFixed(1)}k` : rate.toFixed(rate >= 10 ? 0 : 1);
}

function formatDuration(seconds: number): string {
  const s = Math.ceil(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

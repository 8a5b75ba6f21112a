import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../load/write.js';
import { addDays, type DayStats, type StatsStore } from './day-stats.js';
import { dayFromJson, dayToJson } from './stats-json.js';

/** The folder in DATA_DIR the files backend keeps its counts in: one file per UTC day. The article loader reads only articles/. */
export const STATS_DIR = 'stats';
const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.json$/;

/**
 * Counts on the files backend: DATA_DIR/stats/YYYY-MM-DD.json, each
 * replaced whole and atomically (write a temp file, fsync, rename) with the
 * stored day plus what was counted since. One process writes a folder (the
 * files backend is one process); adds are queued so two never interleave.
 */
export function createFilesStats(dataDir: string): StatsStore {
  const dir = join(dataDir, STATS_DIR);
  let queue: Promise<void> = Promise.resolve();
  const readDay = async (day: string): Promise<DayStats | undefined> => {
    const name = `${day}.json`;
    let text: string;
    try {
      text = await readFile(join(dir, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return dayFromJson(text, join(dir, name));
  };
  return {
    add(days) {
      const run = queue.then(async () => {
        await mkdir(dir, { recursive: true });
        for (const delta of days) await writeFileAtomic(dir, `${delta.day}.json`, dayToJson(addDays(await readDay(delta.day), delta)));
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async read(from, to) {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      const days = names.map((n) => DAY_FILE.exec(n)?.[1]).filter((d): d is string => d !== undefined && d >= from && d <= to).sort();
      const read = await Promise.all(days.map(readDay));
      return read.filter((d): d is DayStats => d !== undefined);
    },
    close: () => queue,
  };
}

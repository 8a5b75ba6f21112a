import { Slugger } from '../model/slug.js';
import { ZoneNames } from './dates.js';
import { BodyCache } from './lazy-body.js';
import { RecordFileReader } from './record-file-reader.js';

/**
 * What reading and parsing many records reuses, held by whoever owns the
 * records: a store (its first load, reloads and lazily read bodies share
 * one), a loader thread, or one run of a command. Created with its owner
 * and passed down, never module state: two stores in one process share
 * none of it. Each part is bounded.
 */
export interface LoadMemo {
  /** Resolved folders and the read buffer. */
  readonly files: RecordFileReader;
  /** Slugs of tag, section and credit names. */
  readonly slugs: Slugger;
  /** Which time zone names are known. */
  readonly zones: ZoneNames;
  /** The latest sanitised bodies of the owner's articles. */
  readonly bodies: BodyCache;
}

/** What parsing a record uses of a LoadMemo. */
export type ParseMemo = Pick<LoadMemo, 'slugs' | 'zones'>;

export function createLoadMemo(): LoadMemo {
  return { files: new RecordFileReader(), slugs: new Slugger(), zones: new ZoneNames(), bodies: new BodyCache() };
}

/** A ParseMemo for one record (nothing to share it with). */
export function createParseMemo(): ParseMemo {
  return { slugs: new Slugger(), zones: new ZoneNames() };
}

import { createHash } from 'node:crypto';
import type { Article } from '../model/types.js';
import { StorePreconditionError } from './errors.js';

/** Who makes a write: the API key's id (null: no key was accepted) and the client's address. */
export interface WriteActor {
  readonly keyId: string | null;
  readonly client: string;
}

/**
 * What a write must find before it is made, checked under the same lock as
 * the write itself, so two editors cannot both pass the check.
 */
export interface WriteOptions {
  /** If-Match: the ETag the writer last read; the write is refused (412) when the stored record's differs or it is gone. */
  readonly ifMatch?: string;
  /** If-None-Match: *: create only; refused (412) when the id exists. */
  readonly createOnly?: boolean;
  readonly actor?: WriteActor;
  /**
   * Called with the record about to be stored (undefined for a delete) and the
   * one stored now, under the write's lock; throws to refuse (a key's scope).
   */
  readonly authorize?: (next: Article | undefined, current: Article | undefined) => void;
}

/** What a write did to an article's history. */
export type VersionAction = 'existing' | 'created' | 'updated' | 'deleted' | 'restored';

/** One kept version of an article: a record as it was stored, or a deletion (record null). */
export interface ArticleVersion {
  /** 1, 2, 3…: never reused, even after HISTORY_KEEP drops old versions. */
  readonly version: number;
  readonly at: Date;
  readonly keyId: string | null;
  readonly action: VersionAction;
  /** Bytes of the record (0 for a deletion). */
  readonly size: number;
  /** What changed from the version before, in a few words: "headline, body changed". */
  readonly summary: string;
  /** The record's ETag; null for a deletion. */
  readonly etag: string | null;
}

/**
 * A version's facts in one key order, whichever backend kept them: the
 * files backend's history lines and PostgreSQL's rows list them in different
 * orders, and GET …/versions gave different bytes for the same history.
 */
export function versionFacts(v: ArticleVersion): ArticleVersion {
  return { version: v.version, at: v.at, keyId: v.keyId, action: v.action, size: v.size, summary: v.summary, etag: v.etag };
}

/** A version with its record text (null for a deletion). */
export interface ArticleVersionRecord extends ArticleVersion {
  readonly record: string | null;
}

/** One line of the audit trail: every write the API answered, refused ones included. Never a secret. */
export interface AuditEntry {
  readonly at: Date;
  readonly keyId: string | null;
  readonly client: string;
  readonly method: string;
  readonly id: string;
  /** The HTTP status the write was answered with. */
  readonly status: number;
  /** created, updated, deleted, restored, or why it was refused. */
  readonly outcome: string;
  /** The version the write produced, when it produced one. */
  readonly version?: number;
  /**
   * Refusals of requests without an accepted key: how many this line stands
   * for. They are written one line per client and minute (http/anonymous-refusals.ts),
   * so a flood cannot fill the disk; absent on every other line.
   */
  readonly count?: number;
}

/** The history and audit trail a backend keeps beside its articles. */
export interface StoreHistory {
  /** Every kept version of `id`, oldest first; empty when it has none. */
  versions(id: string): Promise<readonly ArticleVersion[]>;
  /** Version `n` of `id` with its record, if kept. */
  version(id: string, n: number): Promise<ArticleVersionRecord | undefined>;
  /** Appends one audit entry (a refused write; stored writes are audited by the store in the write itself). */
  audit(entry: AuditEntry): Promise<void>;
  /** Audit entries after `since`, oldest first, at most `limit`. */
  auditSince(since: Date, limit: number): Promise<readonly AuditEntry[]>;
}

/**
 * The ETag of a stored record: a hash of its JSON text with the writer's key
 * order. PostgreSQL's jsonb reorders keys, and a file may be indented either
 * way, so both backends hash `JSON.stringify` of the parsed record: equal
 * records give equal ETags on either backend, and a replica agrees.
 */
export function recordEtag(record: unknown): string {
  return etagOfJson(JSON.stringify(record));
}

/** recordEtag of a record already serialised with JSON.stringify (sync serialises each record once). */
export function etagOfJson(json: string): string {
  return `"${createHash('sha256').update(json, 'utf8').digest('base64url').slice(0, 32)}"`;
}

/** If-Match as sent: `*` (any stored record), or a list of ETags compared strongly (RFC 9110: a weak W/ tag never matches). */
function matchesIfMatch(header: string, etag: string | undefined): boolean {
  if (etag === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').map((part) => part.trim()).includes(etag);
}

/** The top-level fields whose values differ between two records, as a short summary. */
export function describeChange(action: VersionAction, previous: string | null | undefined, next: string | null, restoredFrom?: number): string {
  if (action === 'deleted') return 'deleted';
  if (action === 'existing') return 'as found stored (written before history was kept, or outside the API)';
  const prefix = action === 'restored' ? `restored version ${restoredFrom}` : action;
  if (action === 'created' || previous === null || previous === undefined || next === null) return prefix;
  const before = parseObject(previous);
  const after = parseObject(next);
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
  if (fields.length === 0) return `${prefix}: no field changed`;
  const shown = fields.slice(0, 6).join(', ');
  return `${prefix}: ${shown}${fields.length > 6 ? ` and ${fields.length - 6} more` : ''} changed`;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * If-Match and If-None-Match: * against the stored record's ETag (undefined:
 * no record). Throws StorePreconditionError (412), naming the current ETag.
 */
export function checkPreconditions(id: string, writeOptions: WriteOptions, currentEtag: string | undefined): void {
  if (writeOptions.createOnly && currentEtag !== undefined) {
    throw new StorePreconditionError(`Article ${JSON.stringify(id)} exists already (If-None-Match: *); nothing was written.`, currentEtag);
  }
  if (writeOptions.ifMatch !== undefined && !matchesIfMatch(writeOptions.ifMatch, currentEtag)) {
    throw new StorePreconditionError(
      currentEtag === undefined
        ? `Article ${JSON.stringify(id)} does not exist (any more); If-Match ${writeOptions.ifMatch} cannot hold; nothing was written.`
        : `Article ${JSON.stringify(id)} has changed since ETag ${writeOptions.ifMatch}: it is now ${currentEtag}. Read it again and merge; nothing was written.`,
      currentEtag,
    );
  }
}


/** A record as both backends store its text: the files backend's article file, PostgreSQL's kept versions. */
export function recordText(record: unknown): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

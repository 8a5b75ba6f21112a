import type { ArticleError } from '../load/errors.js';

/** A record a write was refused for: every problem, each naming its field. Nothing was written. (HTTP 400) */
export class StoreRecordError extends Error {
  constructor(
    message: string,
    readonly problems: readonly ArticleError[],
  ) {
    super(message);
    this.name = 'StoreRecordError';
  }
}

/** A write that would contradict what is stored, e.g. a file named for one id holding another. (HTTP 409) */
export class StoreConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConflictError';
  }
}

/**
 * The backend cannot be reached (the database is down, a pool timed out).
 * Nothing was lost: a write was not made, a read can be retried. (HTTP 503 with Retry-After)
 */
export class StoreUnavailableError extends Error {
  constructor(
    message: string,
    /** Seconds after which a retry may succeed. */
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * The database answered, but a statement gave up waiting: for a lock held
 * by another transaction (lock_timeout) or past statement_timeout. Nothing
 * was written and a retry may succeed, as for StoreUnavailableError (HTTP
 * 503 with Retry-After), but the database is up: this is not an outage.
 */
export class StoreTimeoutError extends StoreUnavailableError {
  constructor(message: string, retryAfterSeconds = 5) {
    super(message, retryAfterSeconds);
    this.name = 'StoreTimeoutError';
  }
}

/**
 * The backend is still loading its data (the files backend's first load,
 * a database connection being checked): reads are refused rather than
 * answered from half the data. (HTTP 503 with Retry-After)
 */
export class StoreNotReadyError extends StoreUnavailableError {
  constructor(message: string, retryAfterSeconds = 1) {
    super(message, retryAfterSeconds);
    this.name = 'StoreNotReadyError';
  }
}

/** A write whose precondition failed: If-Match named another version, or If-None-Match: * found the id. Nothing was written. (HTTP 412) */
export class StorePreconditionError extends Error {
  constructor(
    message: string,
    /** The stored record's ETag now, when there is one. */
    readonly currentEtag?: string,
  ) {
    super(message);
    this.name = 'StorePreconditionError';
  }
}

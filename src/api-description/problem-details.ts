import { STATUS_CODES } from 'node:http';

/** The media type of every error the API answers (RFC 9457). */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/**
 * The one problem type with meaning beyond its status: a record the loader
 * refused, with every problem listed. Every other error is `about:blank`,
 * whose title is the status phrase (RFC 9457 §4.2.1). A URN, so no client
 * is tempted to fetch it.
 */
export const INVALID_RECORD_TYPE = 'urn:wirefeed:problem:invalid-record';

/** One problem with a record, in the fields `wirefeed lint --format json` reports (file, line, column, field, problem) and its message. */
export interface RecordProblem {
  readonly file: string;
  /** 1-based line and column of the field in the JSON that was sent. */
  readonly line: number;
  readonly column: number;
  /** Absent for a problem with the whole record (not JSON, too deep). */
  readonly field?: string;
  readonly problem: string;
  /** `file: field "x" problem`, as the server logs it. */
  readonly message: string;
}

/** An API error body (RFC 9457 problem details); `problems` on a refused record. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  /** What went wrong and what to do, the message the API has always sent. */
  readonly detail: string;
  readonly problems?: readonly RecordProblem[];
}

/** The problem details for `status` with the message `detail`; `problems` makes it an invalid-record problem. */
export function problemOf(status: number, detail: string, problems?: readonly RecordProblem[]): ProblemDetails {
  if (problems !== undefined) return { type: INVALID_RECORD_TYPE, title: 'The record was refused', status, detail, problems };
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail };
}

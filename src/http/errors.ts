import type { Request, Response } from 'express';
import { PROBLEM_MEDIA_TYPE, problemOf, type ProblemDetails } from '../api-description/problem-details.js';

/** A request we refuse, with the status and a message for the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** True for the ingest API's paths, whose every error is problem details (RFC 9457), as its clients parse it. */
export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

/** Writes an API error: the one place /api errors are written, so every one is `application/problem+json`. */
export function sendProblem(res: Response, problem: ProblemDetails): void {
  res.status(problem.status).type(PROBLEM_MEDIA_TYPE).send(JSON.stringify(problem));
}

/** A refusal in the form the path promises: problem details under /api (the message is `detail`), one line of text elsewhere. */
export function sendError(req: Request, res: Response, status: number, message: string): void {
  if (isApiPath(req.path)) sendProblem(res, problemOf(status, message));
  else res.status(status).type('text/plain; charset=utf-8').send(`${message}\n`);
}

import type { Request, Response } from 'express';

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

/** True for the ingest API's paths, whose every answer (errors included) is JSON, as its clients parse it. */
export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

/** A refusal in the form the path promises: `{"error": …}` under /api, one line of text elsewhere. */
export function sendError(req: Request, res: Response, status: number, message: string): void {
  if (isApiPath(req.path)) res.status(status).json({ error: message });
  else res.status(status).type('text/plain; charset=utf-8').send(`${message}\n`);
}

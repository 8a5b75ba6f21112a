/** A feed request we cannot answer as asked: a bad query parameter (HTTP 400) or an unknown feed (HTTP 404). */
export class FeedRequestError extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
    this.name = 'FeedRequestError';
  }
}

import { StoreUnavailableError } from '../errors.js';

/**
 * Says once that the database went away and once that it came back. In an
 * outage every read that misses the cache and every write fails with a
 * StoreUnavailableError (a 503 in the access log); logging each of them at
 * error level wrote about 9,500 lines per 20 s outage (issue 23), which
 * buries the two lines an operator needs: when it began and when it ended.
 */
export class DatabaseOutage {
  /** Epoch ms of the first failure of the outage going on, if one is. */
  private downSince: number | undefined;

  constructor(
    /** "host:port/database", never the password. */
    private readonly target: string,
    private readonly log: (line: string) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Runs `work`, noting whether the database answered. */
  async watch<T>(work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      this.answered();
      return result;
    } catch (error) {
      if (error instanceof StoreUnavailableError) this.failed(error);
      // Any other error (a constraint, a bad record) came from a database that answered.
      else this.answered();
      throw error;
    }
  }

  /** True while the last statement failed for want of the database. */
  get down(): boolean {
    return this.downSince !== undefined;
  }

  private failed(error: Error): void {
    if (this.downSince !== undefined) return;
    this.downSince = this.clock();
    this.log(`database: ${this.target} cannot be reached (${error.message}); rendered feeds are served from memory, other reads and writes answer 503 with Retry-After until it is back`);
  }

  private answered(): void {
    if (this.downSince === undefined) return;
    const seconds = ((this.clock() - this.downSince) / 1000).toFixed(1);
    this.downSince = undefined;
    this.log(`database: ${this.target} answers again (unreachable for ${seconds} s)`);
  }
}

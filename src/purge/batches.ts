import { sendOnce, type OutgoingRequest } from '../websub/hub-ping.js';

/** `keys` in runs of at most `size`, in order. */
export function inBatches(keys: readonly string[], size: number): string[][] {
  const batches: string[][] = [];
  for (let i = 0; i < keys.length; i += size) batches.push(keys.slice(i, i + size));
  return batches;
}

/**
 * Sends one request per batch, one after another (a provider's rate limit
 * counts requests), and stops at the first refusal: a retry sends them all
 * again, which is harmless (a purge of a key already gone is a no-op).
 * Resolves to why it failed, or undefined.
 */
export async function sendBatches(url: string, batches: readonly string[][], requestOf: (batch: readonly string[]) => OutgoingRequest, timeoutMs: number): Promise<string | undefined> {
  for (const [i, batch] of batches.entries()) {
    const result = await sendOnce(url, requestOf(batch), timeoutMs);
    if (!result.ok) return batches.length > 1 ? `${result.reason} (request ${i + 1} of ${batches.length})` : result.reason;
  }
  return undefined;
}

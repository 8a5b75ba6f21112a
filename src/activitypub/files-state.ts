import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeFileExclusive } from '../load/write.js';
import type { ActivityPubState, ClaimedDelivery, DeliveryJob, Follower, LedgerEntry, StoredKeyPair } from './state.js';

/** Everything but the keys, in one file: small (followers and one line per story), rewritten whole after each change. */
interface StateFile {
  followers: Record<string, Follower[]>;
  ledger: Record<string, LedgerEntry> | null;
  jobs: (DeliveryJob & { id: number; attempts: number; dueAt: number })[];
  failing: Record<string, number>;
  nextId: number;
}

const EMPTY: StateFile = { followers: {}, ledger: null, jobs: [], failing: {}, nextId: 1 };

/**
 * The files backend's ActivityPub state under DATA_DIR/activitypub/: one
 * state.json, and keys/<actor>.json (folder 700, files 600: private keys).
 * One server per data folder (as for the articles), so operations are
 * serialised in this process and claims need no lease.
 */
export function createFilesState(dataDir: string): ActivityPubState {
  const dir = join(dataDir, 'activitypub');
  const keysDir = join(dir, 'keys');
  let chain: Promise<unknown> = Promise.resolve();
  let cached: StateFile | undefined;

  const load = async (): Promise<StateFile> => {
    if (cached) return cached;
    try {
      cached = { ...EMPTY, ...(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as Partial<StateFile>) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`activitypub: cannot read ${join(dir, 'state.json')}: ${(error as Error).message}`);
      cached = structuredClone(EMPTY);
    }
    return cached;
  };
  /** Runs `step` after every earlier one, then writes the state unless `write` says it did not change. */
  const serial = <T>(step: (state: StateFile) => T | Promise<T>, write: boolean | ((result: T) => boolean) = true): Promise<T> => {
    const run = chain.then(async () => {
      const state = await load();
      const result = await step(state);
      if (typeof write === 'function' ? write(result) : write) await writeFileAtomic(dir, 'state.json', JSON.stringify(state));
      return result;
    });
    chain = run.catch(() => undefined);
    return run;
  };

  return {
    keyPair: (actor, generate) =>
      serial(async () => {
        const name = `${Buffer.from(actor).toString('base64url')}.json`;
        try {
          return JSON.parse(await readFile(join(keysDir, name), 'utf8')) as StoredKeyPair;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`activitypub: cannot read the key of ${actor}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
        }
        // The folder is 700 first, so the moment before chmod, when the file is 644, nobody else can read it.
        await mkdir(keysDir, { recursive: true, mode: 0o700 });
        await chmod(keysDir, 0o700);
        const pair = await generate();
        await writeFileExclusive(keysDir, name, JSON.stringify(pair));
        await chmod(join(keysDir, name), 0o600);
        return pair;
      }, false),
    followers: (actor) => serial((state) => [...(state.followers[actor] ?? [])], false),
    addFollower: (actor, follower) =>
      serial((state) => {
        const list = (state.followers[actor] ?? []).filter((f) => f.id !== follower.id);
        state.followers[actor] = [...list, follower];
      }),
    removeFollower: (actor, followerId) =>
      serial((state) => {
        state.followers[actor] = (state.followers[actor] ?? []).filter((f) => f.id !== followerId);
      }),
    reconcile: (decide) =>
      serial(async (state): Promise<boolean> => {
        const first = state.ledger === null;
        const changes = await decide(state.ledger === null ? undefined : new Map(Object.entries(state.ledger)), async (actor) => state.followers[actor] ?? []);
        const ledger = state.ledger ?? {};
        for (const [id, entry] of changes.entries) {
          if (entry === undefined) delete ledger[id];
          else ledger[id] = entry;
        }
        state.ledger = ledger;
        for (const job of changes.jobs) state.jobs.push({ ...job, id: state.nextId++, attempts: 0, dueAt: 0 });
        return first || changes.entries.size > 0 || changes.jobs.length > 0;
      }, (changed) => changed).then(() => undefined),
    claim: (now, limit, leaseMs) =>
      serial((state): ClaimedDelivery[] => {
        const due = state.jobs.filter((job) => job.dueAt <= now).slice(0, limit);
        // Held while it is sent; a process that stops mid-send sends it again after a restart.
        for (const job of due) {
          job.attempts += 1;
          job.dueAt = now + leaseMs;
        }
        return due.map((job) => ({ ...job, ...(state.failing[job.inbox] === undefined ? {} : { failingSince: state.failing[job.inbox] }) }));
      }),
    delivered: (id, inbox) =>
      serial((state) => {
        state.jobs = state.jobs.filter((job) => job.id !== id);
        delete state.failing[inbox];
      }),
    failed: (id, retryAt, failingSince) =>
      serial((state) => {
        const job = state.jobs.find((j) => j.id === id);
        if (!job) return;
        job.dueAt = retryAt;
        state.failing[job.inbox] = Math.min(state.failing[job.inbox] ?? failingSince, failingSince);
      }),
    dropInbox: (inbox) =>
      serial((state) => {
        for (const actor of Object.keys(state.followers)) state.followers[actor] = (state.followers[actor] ?? []).filter((f) => f.inbox !== inbox);
        state.jobs = state.jobs.filter((job) => job.inbox !== inbox);
        delete state.failing[inbox];
      }),
    close: async () => {
      await chain;
    },
  };
}

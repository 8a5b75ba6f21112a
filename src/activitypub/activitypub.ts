import type { RequestHandler } from 'express';
import type { Store } from '../store/store.js';
import { federationHandler } from './express-handler.js';
import { createActivityPubFederation } from './federation.js';
import { createFilesState } from './files-state.js';
import { createPostgresState } from './postgres-state.js';
import { startActivityPubPublisher, type ActivityPubPublisher, type PublisherOptions } from './publisher.js';
import type { ActivityPubState } from './state.js';

export interface ActivityPubOptions extends Pick<PublisherOptions, 'retryBaseMs' | 'dropAfterMs' | 'pollMs' | 'leaseMs'> {
  readonly store: Store;
  /** Files backend: the state lives under DATA_DIR/activitypub/. */
  readonly dataDir: string;
  /** PostgreSQL backend: the state lives in the ap_* tables (migration 9). */
  readonly databaseUrl?: string;
  readonly clock?: () => Date;
  readonly log: (line: string, level?: 'info' | 'warn' | 'error') => void;
  /** Tests only: lets actors on 127.0.0.1 follow. */
  readonly allowPrivateAddress?: boolean;
}

/** ActivityPub for one app: the routes to mount, and the publisher to start once the store is ready. */
export interface ActivityPub {
  /** WebFinger, actors, inboxes, outboxes, followers, stories: mount before the app's own routes. */
  readonly handler: RequestHandler;
  /** Starts announcing stories (call once the store is ready). */
  start(): ActivityPubPublisher;
  close(): Promise<void>;
}

/** ACTIVITYPUB=true: every feed an actor (docs/activitypub.md). */
export function createActivityPub(options: ActivityPubOptions): ActivityPub {
  const clock = options.clock ?? (() => new Date());
  const state: ActivityPubState = options.databaseUrl === undefined ? createFilesState(options.dataDir) : createPostgresState(options.databaseUrl);
  const federation = createActivityPubFederation({ store: options.store, state, clock, log: options.log, ...(options.allowPrivateAddress ? { allowPrivateAddress: true } : {}) });
  let publisher: ActivityPubPublisher | undefined;
  return {
    handler: federationHandler(federation, options.store.site().baseUrl),
    start() {
      publisher ??= startActivityPubPublisher({ ...options, clock, state, federation });
      return publisher;
    },
    async close() {
      publisher?.stop();
      await state.close();
    },
  };
}

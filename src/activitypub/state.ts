import type { importJwk } from '@fedify/fedify';

/** A JSON Web Key as Fedify exports and imports it. */
export type Jwk = Parameters<typeof importJwk>[0];
/**
 * What ActivityPub keeps between requests and restarts: each actor's key
 * pair, its followers, which stories were announced from which actors (the
 * ledger), and the deliveries still to make. Two implementations: files
 * under DATA_DIR (files-state.ts) and PostgreSQL tables (postgres-state.ts,
 * migration 9).
 */

/** An actor's key pair as JSON Web Keys (RSASSA-PKCS1-v1_5, the one Mastodon verifies). Never logged. */
export interface StoredKeyPair {
  readonly publicKey: Jwk;
  readonly privateKey: Jwk;
}

/** A remote actor following one of ours. */
export interface Follower {
  /** The follower's actor id (URL). */
  readonly id: string;
  /** Where activities for it are posted: its shared inbox when it has one, else its own. */
  readonly inbox: string;
}

/** What the ledger holds per story: what was announced, and from which actors. */
export interface LedgerEntry {
  /** headline, url and updated: a change of any is an edit followers are told of. */
  readonly fingerprint: string;
  /** Actors the story went out from (empty: known before ActivityPub was on, never announced). */
  readonly actors: readonly string[];
}

export type Verb = 'Create' | 'Update' | 'Delete';

/** One activity to one inbox. The activity is rebuilt from the story when sent (a Delete needs only its id). */
export interface DeliveryJob {
  readonly actor: string;
  readonly inbox: string;
  readonly verb: Verb;
  readonly articleId: string;
  /** Makes the activity's id unique per announcement (the ledger fingerprint's time). */
  readonly stamp: string;
}

export interface ClaimedDelivery extends DeliveryJob {
  readonly id: number;
  readonly attempts: number;
  /** When this inbox first failed and has not succeeded since (ms); undefined: no failure yet. */
  readonly failingSince?: number;
}

/** What one reconciliation decided: the ledger's new entries (undefined: forget the story) and the jobs to queue. */
export interface LedgerChanges {
  readonly entries: ReadonlyMap<string, LedgerEntry | undefined>;
  readonly jobs: readonly DeliveryJob[];
}

export interface ActivityPubState {
  /** The actor's key pair, generated and stored on first use (once, even with two replicas asking at once). */
  keyPair(actor: string, generate: () => Promise<StoredKeyPair>): Promise<StoredKeyPair>;
  followers(actor: string): Promise<readonly Follower[]>;
  addFollower(actor: string, follower: Follower): Promise<void>;
  removeFollower(actor: string, followerId: string): Promise<void>;
  /**
   * Runs `decide` with the ledger (undefined before the first run) while no
   * other process reconciles (`followersOf` reads inside that step), then stores its changes and queues its jobs
   * in one step: each story is announced once for the fleet.
   */
  reconcile(decide: (ledger: ReadonlyMap<string, LedgerEntry> | undefined, followersOf: (actor: string) => Promise<readonly Follower[]>) => Promise<LedgerChanges>): Promise<void>;
  /** Up to `limit` deliveries due at `now`, held for `leaseMs` (no other replica gets them meanwhile). */
  claim(now: number, limit: number, leaseMs: number): Promise<readonly ClaimedDelivery[]>;
  /** Sent: the job goes, and its inbox is no longer failing. */
  delivered(id: number, inbox: string): Promise<void>;
  /** Failed: try again at `retryAt`; the inbox has been failing since `failingSince`. */
  failed(id: number, retryAt: number, failingSince: number): Promise<void>;
  /** Gives up on an inbox: every follower posting there and every job for it go. */
  dropInbox(inbox: string): Promise<void>;
  close(): Promise<void>;
}

import type { Config } from './config/config.js';
import type { IngestOptions } from './http/api.js';
import { acceptedKeys, loadKeysFile } from './http/api-keys.js';
import type { AppDeps } from './http/app.js';
import type { Logger } from './observe/logger.js';
import type { Metrics } from './observe/metrics.js';
import type { Store } from './store/store.js';
import { purgeTargetsOf } from './purge/purge-targets.js';
import { startOutboxPublisher } from './websub/outbox-publisher.js';
import { startWebSubPublisher } from './websub/publisher.js';
import type { ActivityPub } from './activitypub/activitypub.js';
import { loadPartnersFile, type Partner } from './partners/partner.js';
import type { ReadershipCounter } from './stats/counter.js';
import type { StatsStore } from './stats/day-stats.js';
import { createFilesStats } from './stats/files-stats.js';
import { startReadership, type Readership } from './stats/flush.js';
import { createPostgresStats } from './stats/postgres-stats.js';
import { feedsForGauges } from './stats/report.js';

/**
 * What the standalone server (main.ts) and a mounted router
 * (create-wirefeed.ts) build the same way from one Config, so the two never
 * drift apart: the ingest API's settings, the app's dependencies, and who
 * tells the WebSub hub and the CDN about changes.
 */

type Log = (line: string, level?: 'info' | 'warn' | 'error') => void;

/** The ingest API's settings, when INGEST_TOKEN or KEYS_FILE enables it. Throws KeysFileError for a keys file that cannot be used. */
export function ingestOptionsOf(config: Config, log: Log): IngestOptions | undefined {
  const keys = config.keysFile === undefined ? undefined : loadKeysFile(config.keysFile);
  if (config.ingestToken === undefined && keys === undefined) return undefined;
  // Checked here too, so a KEYS_FILE key with INGEST_TOKEN's secret stops the server with one line before the store opens.
  if (keys) acceptedKeys(keys, config.ingestToken);
  return {
    ...(config.ingestToken === undefined ? {} : { token: config.ingestToken }),
    ...(keys ? { keys } : {}),
    maxBytes: config.ingestMaxBytes,
    requireIfMatch: config.requireIfMatch,
    log: (line: string) => log(line, 'error'),
  };
}

/** The partners of PARTNERS_FILE, read at start. Throws PartnersFileError (one line naming the entry) for a file that cannot be used. */
export function partnersOf(config: Config): readonly Partner[] | undefined {
  return config.partnersFile === undefined ? undefined : loadPartnersFile(config.partnersFile);
}

/** createApp's dependencies for this configuration. */
export function appDepsOf(config: Config, parts: { store: Store & { readonly whenReady?: Promise<void> }; log: Log; logger: Logger; metrics?: Metrics; ingest?: IngestOptions; serveMetrics?: boolean; activitypub?: ActivityPub; partners?: readonly Partner[]; stats?: StatsStore }): AppDeps {
  const { metrics, ingest, activitypub, stats } = parts;
  return {
    store: parts.store,
    // The main feed is rendered into the cache once the store has loaded, before /readyz says 200 (http/feed-preparation.ts).
    ...(parts.store.whenReady === undefined ? {} : { whenStoreReady: parts.store.whenReady }),
    production: config.production,
    caching: config.feedCaching,
    log: parts.log,
    logger: parts.logger,
    ...(metrics ? { metrics, ...(parts.serveMetrics === undefined ? {} : { serveMetrics: parts.serveMetrics }) } : {}),
    ...(config.websubHub === undefined ? {} : { websubHub: config.websubHub }),
    ...(ingest ? { ingest } : {}),
    ...(activitypub ? { activitypub: activitypub.handler } : {}),
    ...(parts.partners ? { partners: parts.partners } : {}),
    ...(stats ? { stats } : {}),
    guards: { rateLimit: config.rateLimit, trustProxy: config.trustProxy },
  };
}

/** Where readership counts are kept (STATS, on by default): the database's tables, or DATA_DIR/stats/. */
export function statsStoreOf(config: Config): StatsStore | undefined {
  if (!config.stats) return undefined;
  return config.databaseUrl === undefined ? createFilesStats(config.dataDir) : createPostgresStats(config.databaseUrl);
}

/** Flushes the app's readership counter every minute, and shows today's subscribers on /metrics. */
export function startReadershipOf(counter: ReadershipCounter | undefined, stats: StatsStore | undefined, log: Log, metrics?: Metrics): Readership | undefined {
  if (counter === undefined || stats === undefined) return undefined;
  const readership = startReadership({ counter, store: stats, log });
  metrics?.watchSubscribers(() => feedsForGauges(readership.today()));
  return readership;
}

/**
 * Starts telling the outside world about changes: with replicas on one
 * database, the outbox publisher (each change pinged and purged once for
 * the fleet); otherwise the in-process publisher, when a hub or a purge
 * target is set.
 */
export function startPublishing(config: Config, store: Store, log: Log, metrics?: Metrics): { stop(): void } | undefined {
  const onPing = metrics ? { onPing: metrics.countWebSubPing } : {};
  const purge = purgeTargetsOf(config.purge);
  if (config.websubHub === undefined && purge.length === 0) return undefined;
  const shared = { store, ...(config.websubHub === undefined ? {} : { hub: config.websubHub }), purge, attempts: config.websubAttempts, log, ...onPing };
  if (store.outbox !== undefined) return startOutboxPublisher({ ...shared, outbox: store.outbox });
  // One process (files backend): no outbox needed; it purges after each reload or write that changed feeds.
  return startWebSubPublisher(shared);
}

/**
 * ACTIVITYPUB=true: every feed an actor; its state beside the articles (DATA_DIR, or the database). Start it
 * once the store is ready. Imported only when on: loading Fedify takes about a second (3 s on a busy machine),
 * which every start would otherwise pay.
 */
export async function activityPubOf(config: Config, store: Store, log: Log): Promise<ActivityPub | undefined> {
  if (!config.activitypub) return undefined;
  const { createActivityPub } = await import('./activitypub/activitypub.js');
  return createActivityPub({ store, dataDir: config.dataDir, ...(config.databaseUrl === undefined ? {} : { databaseUrl: config.databaseUrl }), log });
}

import { Accept, createFederation, Endpoints, exportJwk, Follow, generateCryptoKeyPair, Image, importJwk, MemoryKvStore, Note, PropertyValue, Service, Undo, type Context, type Federation } from '@fedify/fedify';
import { formatCursor, parseCursor } from '../model/cursor.js';
import { feedPath } from '../model/feed-filter.js';
import { isVisible } from '../model/feed-query.js';
import { FEED_FILE_NAMES, type Article } from '../model/types.js';
import type { Store } from '../store/store.js';
import { actorsOf, filterOf, nameIn } from './actors.js';
import type { ActivityPubState } from './state.js';
import { storyActivity, storyNote, type StoryUris } from './story-object.js';

export interface FederationDeps {
  readonly store: Store;
  readonly state: ActivityPubState;
  readonly clock: () => Date;
  readonly log: (line: string, level?: 'info' | 'warn' | 'error') => void;
  /** Lets remote actors on private addresses be fetched (tests on 127.0.0.1); never in production. */
  readonly allowPrivateAddress?: boolean;
}

/** Stories per outbox page. */
export const OUTBOX_PAGE_SIZE = 20;

/** A story's object path: under its actor, since Mastodon accepts a Note only from the actor it is attributed to. */
const STORY_PATH = '/ap/actors/{actor}/stories/{id}';

/**
 * The federation: who the actors are (one per feed, actors.ts), their
 * profiles, keys, outboxes and followers collections, and what their
 * inboxes do (Follow → Accept, Undo of a Follow; anything else is accepted
 * and ignored). Fedify answers WebFinger, content negotiation and verifies
 * every inbox request's HTTP signature.
 */
export function createActivityPubFederation(deps: FederationDeps): Federation<void> {
  const { store, state } = deps;
  const origin = new URL(store.site().baseUrl).origin;
  // A cache of remote documents (actors, keys), owned by this federation: nothing shared between two apps.
  const federation = createFederation<void>({ kv: new MemoryKvStore(), origin, allowPrivateAddress: deps.allowPrivateAddress ?? false });

  /** The feed behind a handle, with its newest visible story; undefined when there is no such feed now. */
  const feedOf = async (handle: string) => {
    const filter = filterOf(handle);
    if (filter === undefined) return undefined;
    const page = await store.feedPage(filter ?? undefined, { limit: 1 }, deps.clock());
    if (page === undefined) return undefined;
    return { filter, newest: page.articles[0] as Article | undefined };
  };

  federation
    .setActorDispatcher('/ap/actors/{identifier}', async (ctx, identifier) => {
      // A feed whose last story went keeps its actor while it has followers: they fetch its key to check the Delete.
      const filter = filterOf(identifier);
      const feed = (await feedOf(identifier)) ?? (filter !== undefined && (await state.followers(identifier)).length > 0 ? { filter, newest: undefined } : undefined);
      if (feed === undefined) return null;
      const site = store.site();
      const folder = `${site.baseUrl}${feedPath(feed.filter ?? undefined)}`;
      const about = feed.filter === null ? site.title : `${site.title}: ${nameIn(feed.newest, feed.filter)}`;
      const keys = await ctx.getActorKeyPairs(identifier);
      const icon = site.logo ?? site.icon;
      const link = (name: string, href: string) => new PropertyValue({ name, value: `<a href="${href}" rel="me">${href}</a>` });
      return new Service({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: about,
        summary: feed.filter === null ? site.description : `Stories from ${about}. ${site.description}`,
        url: new URL(`${folder}/`),
        ...(icon === undefined ? {} : { icon: new Image({ url: new URL(icon) }) }),
        inbox: ctx.getInboxUri(identifier),
        outbox: ctx.getOutboxUri(identifier),
        followers: ctx.getFollowersUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        manuallyApprovesFollowers: false,
        discoverable: true,
        publicKey: keys[0]?.cryptographicKey ?? null,
        assertionMethods: keys.map((key) => key.multikey),
        attachments: [link('RSS', `${folder}/${FEED_FILE_NAMES.rss}`), link('Atom', `${folder}/${FEED_FILE_NAMES.atom}`), link('JSON Feed', `${folder}/${FEED_FILE_NAMES.json}`)],
      });
    })
    .setKeyPairsDispatcher(async (_ctx, identifier) => {
      if (filterOf(identifier) === undefined) return [];
      // Generated on the actor's first use and kept (state.ts); the JWKs never reach a log line.
      const pair = await state.keyPair(identifier, async () => {
        const generated = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
        return { publicKey: await exportJwk(generated.publicKey), privateKey: await exportJwk(generated.privateKey) };
      });
      return [{ publicKey: await importJwk(pair.publicKey, 'public'), privateKey: await importJwk(pair.privateKey, 'private') }];
    });

  federation.setObjectDispatcher(Note, STORY_PATH, async (ctx, values) => {
    const article = await store.article(values.id);
    if (article === undefined || !isVisible(article, deps.clock()) || !actorsOf(article).includes(values.actor)) return null;
    return storyNote(article, store.site(), storyUris(ctx, values.actor, values.id));
  });

  federation
    .setOutboxDispatcher('/ap/actors/{identifier}/outbox', async (ctx, identifier, cursor) => {
      if (cursor === null) return null;
      const filter = filterOf(identifier);
      const before = cursor === 'newest' ? undefined : parseCursor(cursor);
      if (filter === undefined || (cursor !== 'newest' && before === undefined)) return null;
      const page = await store.feedPage(filter ?? undefined, { limit: OUTBOX_PAGE_SIZE, ...(before ? { before } : {}) }, deps.clock());
      if (page === undefined) return null;
      const site = store.site();
      const items = page.articles.flatMap((article) => storyActivity('Create', article, site, storyUris(ctx, identifier, article.id), stampOf(article)) ?? []);
      return { items, nextCursor: page.next ? formatCursor(page.next) : null };
    })
    // Newest first, OUTBOX_PAGE_SIZE a page, by the feed's own cursors: a page does not shift when stories arrive.
    .setFirstCursor(() => 'newest');

  federation
    .setFollowersDispatcher('/ap/actors/{identifier}/followers', async (_ctx, identifier) => {
      const followers = await state.followers(identifier);
      return { items: followers.map((f) => ({ id: new URL(f.id), inboxId: new URL(f.inbox) })) };
    })
    .setCounter(async (_ctx, identifier) => (await state.followers(identifier)).length);

  federation
    .setInboxListeners('/ap/actors/{identifier}/inbox', '/ap/inbox')
    .on(Follow, async (ctx, follow) => {
      if (follow.id === null || follow.objectId === null) return;
      const target = ctx.parseUri(follow.objectId);
      if (target?.type !== 'actor' || (await feedOf(target.identifier)) === undefined) return;
      const follower = await follow.getActor(ctx);
      if (follower === null || follower.id === null || follower.inboxId === null) return;
      const inbox = follower.endpoints?.sharedInbox ?? follower.inboxId;
      await state.addFollower(target.identifier, { id: follower.id.href, inbox: inbox.href });
      const actor = ctx.getActorUri(target.identifier);
      await ctx.sendActivity({ identifier: target.identifier }, follower, new Accept({ id: new URL(`${actor.href}#accept-${encodeURIComponent(follow.id.href)}`), actor, object: follow }));
      deps.log(`activitypub: ${follower.id.href} follows @${target.identifier}`);
    })
    .on(Undo, async (ctx, undo) => {
      const object = await undo.getObject(ctx);
      if (!(object instanceof Follow) || undo.actorId === null || object.objectId === null) return;
      const target = ctx.parseUri(object.objectId);
      if (target?.type !== 'actor') return;
      await state.removeFollower(target.identifier, undo.actorId.href);
      deps.log(`activitypub: ${undo.actorId.href} no longer follows @${target.identifier}`);
    })
    .onError((_ctx, error) => deps.log(`activitypub: an inbox activity failed: ${error.message}`, 'warn'));

  return federation;
}

/** The URIs of a story as told by `actor`. */
export function storyUris(ctx: Context<void>, actor: string, id: string): StoryUris {
  return { actor: ctx.getActorUri(actor), followers: ctx.getFollowersUri(actor), object: ctx.getObjectUri(Note, { actor, id }) };
}

/** What makes an announcement's id unique: the story's updated time. */
export function stampOf(article: Pick<Article, 'updated'>): string {
  return article.updated.toISOString();
}

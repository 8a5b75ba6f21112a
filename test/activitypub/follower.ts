import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Accept, Create, createFederation, Delete, Follow, generateCryptoKeyPair, Like, MemoryKvStore, Person, Undo, Update, type Activity, type Actor, type Context } from '@fedify/fedify';

/** One activity the follower's inbox took (Fedify verified its HTTP signature first), with the request's Signature header. */
export interface Received {
  readonly activity: Activity;
  readonly signature: string | undefined;
}

/**
 * A second ActivityPub server, built only on Fedify (none of wirefeed's
 * code): one actor, "reader", that looks actors up by WebFinger, follows
 * them, and keeps every activity its inbox accepts. Fedify's inbox refuses
 * a request whose HTTP signature does not verify against the sender's key,
 * fetched from the sender: what a received activity has passed.
 */
export interface Follower {
  readonly url: string;
  readonly received: Received[];
  follow(handle: string, host: string): Promise<Actor>;
  unfollow(actor: Actor): Promise<void>;
  /** Sends a Like of `object` to the actor, signed (Fedify throws unless the inbox answers 2xx). */
  like(actor: Actor, object: URL): Promise<void>;
  /** While on, the inbox answers every POST with 503 (a server that is down). */
  setFailing(on: boolean): void;
  /** POSTs the inbox answered 503 to. */
  refused(): number;
  close(): Promise<void>;
}

export async function startFollower(): Promise<Follower> {
  const keys = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
  const received: Received[] = [];
  let failing = false;
  let refused = 0;
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const federation = createFederation<void>({ kv: new MemoryKvStore(), origin: url, allowPrivateAddress: true });
  federation
    .setActorDispatcher('/users/{identifier}', async (ctx, identifier) => {
      if (identifier !== 'reader') return null;
      const pairs = await ctx.getActorKeyPairs(identifier);
      return new Person({ id: ctx.getActorUri(identifier), preferredUsername: identifier, inbox: ctx.getInboxUri(identifier), publicKey: pairs[0]?.cryptographicKey ?? null });
    })
    .setKeyPairsDispatcher(() => [keys]);
  // The Signature header of each POST, by the id of the activity it carried.
  const signatures = new Map<string, string | undefined>();
  const keep = async (_ctx: unknown, activity: Activity) => void received.push({ activity, signature: signatures.get(activity.id?.href ?? '') });
  federation.setInboxListeners('/users/{identifier}/inbox', '/inbox').on(Accept, keep).on(Create, keep).on(Update, keep).on(Delete, keep);

  server.on('request', (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (failing && req.method === 'POST') {
        refused += 1;
        res.writeHead(503).end();
        return;
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
      const body = Buffer.concat(chunks);
      if (req.method === 'POST') {
        try {
          signatures.set(String((JSON.parse(body.toString('utf8')) as { id?: unknown }).id), req.headers.signature as string | undefined);
        } catch {
          // Not JSON: Fedify answers it.
        }
      }
      const request = new Request(`${url}${req.url}`, { method: req.method, headers, ...(req.method === 'POST' ? { body } : {}) });
      void federation.fetch(request, { contextData: undefined }).then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      });
    });
  });
  const ctx: Context<void> = federation.createContext(new URL(url), undefined);
  return {
    url,
    received,
    async follow(handle, host) {
      // WebFinger by hand over http (Fedify looks acct: handles up over https only), then the actor through Fedify.
      const finger = await fetch(`http://${host}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${handle}@${host}`)}`);
      if (!finger.ok) throw new Error(`WebFinger for ${handle}@${host} answered ${finger.status}`);
      const links = ((await finger.json()) as { links: { rel: string; type?: string; href: string }[] }).links;
      const self = links.find((link) => link.rel === 'self' && link.type === 'application/activity+json');
      if (!self) throw new Error('WebFinger gave no self link');
      const actor = await ctx.lookupObject(self.href);
      if (actor === null || !('inboxId' in actor)) throw new Error(`no actor at ${self.href}`);
      const target = actor as Actor;
      await ctx.sendActivity({ identifier: 'reader' }, target, new Follow({ id: new URL(`${url}/follows/${encodeURIComponent(handle)}`), actor: ctx.getActorUri('reader'), object: target.id }));
      return target;
    },
    async unfollow(actor) {
      const follow = new Follow({ id: new URL(`${url}/follows/${encodeURIComponent(actor.preferredUsername?.toString() ?? '')}`), actor: ctx.getActorUri('reader'), object: actor.id });
      await ctx.sendActivity({ identifier: 'reader' }, actor, new Undo({ id: new URL(`${url}/undo/${Date.now()}`), actor: ctx.getActorUri('reader'), object: follow }));
    },
    async like(actor, object) {
      await ctx.sendActivity({ identifier: 'reader' }, actor, new Like({ id: new URL(`${url}/likes/${Date.now()}`), actor: ctx.getActorUri('reader'), object }));
    },
    setFailing: (on) => void (failing = on),
    refused: () => refused,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

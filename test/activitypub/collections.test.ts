import { Create } from '@fedify/fedify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRecord } from '../helpers/builders.js';
import { probePostgres } from '../helpers/postgres.js';
import { filesReplica, postgresReplicas, type Replica } from './backends.js';
import { startFollower, type Follower } from './follower.js';
import { waitFor } from './wait.js';

const postgresAvailable = await probePostgres();
const AS = { accept: 'application/activity+json' };
const body = (record: Record<string, unknown>) => Buffer.from(JSON.stringify(record, null, 2));
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

async function getJson(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, { headers: AS });
  expect(response.status, url).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe('ActivityPub outbox and followers collection (files backend)', () => {
  let replica: Replica;
  let follower: Follower;

  beforeAll(async () => {
    replica = await filesReplica();
    for (let i = 0; i < 24; i++) await replica.store.put(`story-${i}`, body(makeRecord({ id: `story-${i}`, headline: `Story ${i}`, published: minutesAgo(100 - i) })));
    await replica.store.put('a-draft', body(makeRecord({ id: 'a-draft', status: 'draft', published: minutesAgo(1) })));
    await replica.store.put('embargoed', body(makeRecord({ id: 'embargoed', published: new Date(Date.now() + 3600_000).toISOString() })));
    follower = await startFollower();
  });
  afterAll(async () => {
    await replica.close();
    await follower.close();
  });

  it('pages the outbox newest first, 20 a page, without drafts or embargoed stories', async () => {
    const base = `http://${replica.host}/ap/actors/all/outbox`;
    const outbox = await getJson(base);
    expect(outbox.type).toBe('OrderedCollection');
    const first = await getJson(String(outbox.first));
    const items = first.orderedItems as { type: string; object: { id: string } }[];
    expect(items).toHaveLength(20);
    expect(items.every((item) => item.type === 'Create')).toBe(true);
    const ids = items.map((item) => item.object.id.replace(/.*\/stories\//, ''));
    expect(ids.slice(0, 3)).toEqual(['story-23', 'story-22', 'story-21']);
    const second = await getJson(String(first.next));
    const rest = (second.orderedItems as { object: { id: string } }[]).map((item) => item.object.id.replace(/.*\/stories\//, ''));
    expect(rest).toEqual(['story-3', 'story-2', 'story-1', 'story-0', 'before-activitypub']);
    expect([...ids, ...rest]).not.toContain('a-draft');
    expect([...ids, ...rest]).not.toContain('embargoed');
  });

  it('lists followers, and an Undo of the Follow removes one: it hears of no later story', async () => {
    const followers = `http://${replica.host}/ap/actors/korea/followers`;
    expect((await getJson(followers)).totalItems).toBe(0);
    const korea = await follower.follow('korea', replica.host);
    await waitFor('the Accept', () => follower.received.find((r) => r.activity.constructor.name === 'Accept'));
    const listed = await getJson(followers);
    expect(listed.totalItems).toBe(1);
    expect(JSON.stringify(listed)).toContain(`${follower.url}/users/reader`);
    await follower.unfollow(korea);
    expect((await getJson(followers)).totalItems).toBe(0);
    await replica.store.put('after-undo', body(makeRecord({ id: 'after-undo', published: minutesAgo(1) })));
    await replica.activitypub.start().sync();
    expect(follower.received.some((r) => r.activity instanceof Create)).toBe(false);
  });

  it('refuses an inbox POST without a valid HTTP signature, and accepts (and ignores) a signed activity it does not handle', async () => {
    const inbox = `http://${replica.host}/ap/actors/korea/inbox`;
    const follow = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${follower.url}/forged`, type: 'Follow', actor: `${follower.url}/users/reader`, object: `http://${replica.host}/ap/actors/korea` };
    const unsigned = await fetch(inbox, { method: 'POST', headers: { 'content-type': 'application/activity+json' }, body: JSON.stringify(follow) });
    expect(unsigned.status).toBe(401);
    const korea = await follower.follow('korea', replica.host);
    await follower.like(korea, new URL(`http://${replica.host}/ap/actors/korea/stories/story-23`));
    await follower.unfollow(korea);
  });

  it('answers 404 for a feed that does not exist', async () => {
    expect((await fetch(`http://${replica.host}/ap/actors/tag.nothing-here`, { headers: AS })).status).toBe(404);
    expect((await fetch(`http://${replica.host}/.well-known/webfinger?resource=acct:nothing-here@${replica.host}`)).status).toBe(404);
  });
});

describe('ActivityPub deliveries: retries with backoff, and a failing inbox dropped (files backend)', () => {
  let replica: Replica;
  let follower: Follower;
  beforeAll(async () => {
    replica = await filesReplica({ retryBaseMs: 100, dropAfterMs: 1500 });
    follower = await startFollower();
    await follower.follow('korea', replica.host);
    await waitFor('the Accept', () => follower.received.find((r) => r.activity.constructor.name === 'Accept'));
  });
  afterAll(async () => {
    await replica.close();
    await follower.close();
  });

  it('retries a refused delivery with growing delays until the inbox takes it', async () => {
    follower.setFailing(true);
    await replica.store.put('retried', body(makeRecord({ id: 'retried', published: minutesAgo(1) })));
    await waitFor('three refusals', () => (follower.refused() >= 3 ? true : undefined));
    const delays = replica.logs.filter((line) => line.includes('retrying in')).map((line) => Number(/retrying in (\d+) ms/.exec(line)?.[1]));
    expect(delays.slice(0, 3)).toEqual([100, 200, 400]);
    follower.setFailing(false);
    await waitFor('the Create after the retries', () => follower.received.find((r) => r.activity instanceof Create && r.activity.objectId?.href.endsWith('/stories/retried')));
  });

  it('drops an inbox that keeps failing past the stated time, with its follower', async () => {
    follower.setFailing(true);
    await replica.store.put('dropped', body(makeRecord({ id: 'dropped', published: minutesAgo(1) })));
    await waitFor('the drop', () => replica.logs.find((line) => line.startsWith(`activitypub: dropping ${follower.url}/users/reader/inbox`)), 10_000);
    const listed = (await (await fetch(`http://${replica.host}/ap/actors/korea/followers`, { headers: AS })).json()) as { totalItems: number };
    expect(listed.totalItems).toBe(0);
  });
});

describe.runIf(postgresAvailable)('ActivityPub with two replicas on one database', () => {
  let replicas: Replica[];
  let follower: Follower;
  beforeAll(async () => {
    replicas = await postgresReplicas(2);
    follower = await startFollower();
    await follower.follow('korea', replicas[0]?.host as string);
    await waitFor('the Accept', () => follower.received.find((r) => r.activity.constructor.name === 'Accept'));
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await follower.close();
  });

  it('delivers each story once for the fleet, whichever replica wrote it', async () => {
    const ids = ['fleet-1', 'fleet-2', 'fleet-3', 'fleet-4', 'fleet-5', 'fleet-6'];
    for (const [i, id] of ids.entries()) await replicas[i % 2]?.store.put(id, body(makeRecord({ id, published: minutesAgo(1) })));
    const creates = () => follower.received.filter((r) => r.activity instanceof Create).map((r) => r.activity.objectId?.href.replace(/.*\/stories\//, ''));
    await waitFor('every Create', () => (ids.every((id) => creates().includes(id)) ? true : undefined));
    // Both replicas heard every change and had time to send it again if they were going to.
    await Promise.all(replicas.map((replica) => replica.activitypub.start().sync()));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(creates().sort()).toEqual([...ids].sort());
  });
});

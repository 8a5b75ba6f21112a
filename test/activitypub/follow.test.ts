import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Create, Delete, Document, LanguageString, Note, Update, type Actor } from '@fedify/fedify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRecord } from '../helpers/builders.js';
import { probePostgres } from '../helpers/postgres.js';
import { filesReplica, postgresReplicas, type Replica } from './backends.js';
import { startFollower, type Received } from './follower.js';
import { waitFor } from './wait.js';

const postgresAvailable = await probePostgres();

const body = (record: Record<string, unknown>) => Buffer.from(JSON.stringify(record, null, 2));

const BACKENDS: { name: string; open: () => Promise<Replica> }[] = [
  { name: 'files', open: () => filesReplica() },
  ...(postgresAvailable ? [{ name: 'postgres', open: async () => (await postgresReplicas(1))[0] as Replica }] : []),
];

describe.each(BACKENDS)('ActivityPub on the $name backend: a Fedify follower follows @korea and hears of its stories', (backend) => {
  let replica: Replica;
  let host: string;
  let follower: Awaited<ReturnType<typeof startFollower>>;
  let korea: Actor;
  const of = <T>(type: abstract new (...args: never[]) => T, id?: string): Received | undefined =>
    follower.received.find((r) => r.activity instanceof type && (id === undefined || r.activity.objectId?.href.endsWith(`/stories/${id}`)));

  beforeAll(async () => {
    replica = await backend.open();
    host = replica.host;
    follower = await startFollower();
    korea = await follower.follow('korea', host);
  });

  afterAll(async () => {
    await replica.close();
    await follower.close();
  });

  it('finds @korea by WebFinger, with a profile linking its page and feeds, and gets an Accept', async () => {
    expect(korea.id?.href).toBe(`http://${host}/ap/actors/korea`);
    expect(korea.name?.toString()).toBe('Test Newsroom: Korea');
    expect(korea.url).toBeDefined();
    const links = [];
    for await (const attachment of korea.getAttachments()) links.push(String((attachment as { value?: unknown }).value));
    expect(links.join(' ')).toContain(`http://${host}/sections/Korea/rss.xml`.replace('Korea', 'korea'));
    const accept = await waitFor('the Accept', () => follower.received.find((r) => r.activity.constructor.name === 'Accept'));
    expect(accept.activity.actorId?.href).toBe(korea.id?.href);
    // Stories from before ActivityPub was on are not sent.
    expect(of(Create, 'before-activitypub')).toBeUndefined();
  });

  it('sends a signed Create for a newly published story, with headline, language, image alt text and credits', async () => {
    await replica.store.put('seoul-story', body(makeRecord({ id: 'seoul-story', headline: 'Seoul opens new line', language: 'ko', published: new Date(Date.now() - 60_000).toISOString() })));
    const create = await waitFor('the Create', () => of(Create, 'seoul-story'));
    expect(create.signature).toMatch(new RegExp(`keyId="http://${host.replace('.', '\\.')}/ap/actors/korea#main-key"`));
    const note = await (create.activity as Create).getObject();
    expect(note).toBeInstanceOf(Note);
    const content = (note as Note).content as LanguageString;
    expect(content.toString()).toContain('Seoul opens new line');
    expect(content).toBeInstanceOf(LanguageString);
    expect(content.language.compact()).toBe('ko');
    expect(content.toString()).toContain('Reporter One');
    const images: Document[] = [];
    for await (const attachment of (note as Note).getAttachments()) images.push(attachment as Document);
    expect(images[0]?.name?.toString()).toBe('Alt text');
    expect(images[0]?.url?.toString()).toBe('https://media.example.org/test.jpg');
  });

  it('sends nothing for a draft or an embargoed story until its release', async () => {
    const soon = new Date(Date.now() + 2500);
    await replica.store.put('draft-story', body(makeRecord({ id: 'draft-story', headline: 'Not yet', status: 'draft', published: new Date(Date.now() - 60_000).toISOString() })));
    await replica.store.put('embargoed-story', body(makeRecord({ id: 'embargoed-story', headline: 'Under embargo', published: soon.toISOString() })));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(of(Create, 'draft-story')).toBeUndefined();
    expect(of(Create, 'embargoed-story')).toBeUndefined();
    await waitFor('the embargoed story at its release', () => of(Create, 'embargoed-story'));
    expect(Date.now()).toBeGreaterThanOrEqual(soon.getTime());
    await replica.store.put('draft-story', body(makeRecord({ id: 'draft-story', headline: 'Now out', published: new Date(Date.now() - 60_000).toISOString() })));
    await waitFor('the released draft', () => of(Create, 'draft-story'));
  });

  it('sends an Update after an edit and a Delete after a retraction', async () => {
    await replica.store.put('seoul-story', body(makeRecord({ id: 'seoul-story', headline: 'Seoul opens new line (corrected)', language: 'ko', published: new Date(Date.now() - 60_000).toISOString(), updated: new Date().toISOString() })));
    const update = await waitFor('the Update', () => of(Update, 'seoul-story'));
    const note = (await (update.activity as Update).getObject()) as Note;
    expect(String(note.content)).toContain('(corrected)');
    await replica.store.remove('seoul-story');
    const deleted = await waitFor('the Delete', () => of(Delete, 'seoul-story'));
    expect(deleted.activity.objectId?.href).toBe(`http://${host}/ap/actors/korea/stories/seoul-story`);
  });

  it('delivers a verifiable Delete when a feed loses its last story (the actor stays while it has followers)', async () => {
    await replica.store.put('lonely-story', body(makeRecord({ id: 'lonely-story', tags: ['Lonely'], published: new Date(Date.now() - 60_000).toISOString() })));
    await follower.follow('tag.lonely', host);
    await waitFor('the Accept from @tag.lonely', () => follower.received.find((r) => r.activity.constructor.name === 'Accept' && r.activity.actorId?.href.endsWith('/ap/actors/tag.lonely')));
    await replica.store.remove('lonely-story');
    const deleted = await waitFor('the Delete from @tag.lonely', () => follower.received.find((r) => r.activity instanceof Delete && r.activity.actorId?.href.endsWith('/ap/actors/tag.lonely')));
    expect(deleted.activity.objectId?.href).toBe(`http://${host}/ap/actors/tag.lonely/stories/lonely-story`);
    // The follower had the key cached from the Accept; a server that had not fetches it from the actor, still there.
    const actor = await fetch(`http://${host}/ap/actors/tag.lonely`, { headers: { accept: 'application/activity+json' } });
    expect(actor.status).toBe(200);
    expect(((await actor.json()) as { publicKey?: { id?: string } }).publicKey?.id).toBe(`http://${host}/ap/actors/tag.lonely#main-key`);
  });

  it('keeps the actor keys (DATA_DIR/activitypub/keys: owner only) and never logs them', async () => {
    if (backend.name === 'files') {
      const dir = join(replica.dataDir, 'activitypub', 'keys');
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      const files = readdirSync(dir);
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    }
    const secret = await replica.privateKeyOf('korea');
    expect(secret.length).toBeGreaterThan(100);
    expect(replica.logs.join('\n')).not.toContain(secret.slice(0, 40));
    expect(replica.logs.length).toBeGreaterThan(0);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Create, Delete, Document, LanguageString, Note, Update, type Actor } from '@fedify/fedify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivityPub, type ActivityPub } from '../../src/activitypub/activitypub.js';
import { createApp } from '../../src/http/app.js';
import { loadSite } from '../../src/load/load-data.js';
import { createFilesStore } from '../../src/store/files/files-store.js';
import type { Store } from '../../src/store/store.js';
import { makeRecord, SITE_RECORD } from '../helpers/builders.js';
import { makeDataDir } from '../live/data-dir.js';
import { startFollower, type Received } from './follower.js';

/** Polls until `find` returns something (or fails the test after `ms`). */
async function waitFor<T>(what: string, find: () => T | undefined, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const body = (record: Record<string, unknown>) => Buffer.from(JSON.stringify(record, null, 2));

describe('ActivityPub, files backend: a Fedify follower follows @korea and hears of its stories', () => {
  let server: Server;
  let host: string;
  let store: Store;
  let activitypub: ActivityPub;
  let follower: Awaited<ReturnType<typeof startFollower>>;
  let data: ReturnType<typeof makeDataDir>;
  let korea: Actor;
  const of = <T>(type: abstract new (...args: never[]) => T, id?: string): Received | undefined =>
    follower.received.find((r) => r.activity instanceof type && (id === undefined || r.activity.objectId?.href.endsWith(`/stories/${id}`)));

  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const overrides = { baseUrl: `http://${host}`, fallbackBaseUrl: `http://${host}` };
    data = makeDataDir([makeRecord({ id: 'before-activitypub', headline: 'Older story' })], SITE_RECORD);
    store = createFilesStore({ dataDir: data.dir, site: loadSite(data.dir, overrides), siteOverrides: overrides, watch: false, rescanIntervalMs: 0, log: () => undefined });
    activitypub = createActivityPub({ store, dataDir: data.dir, log: (line) => console.error(line), allowPrivateAddress: true, pollMs: 100, retryBaseMs: 100 });
    const { listener } = createApp({ store, activitypub: activitypub.handler, log: () => undefined });
    server.on('request', listener);
    await activitypub.start().sync();
    follower = await startFollower();
    korea = await follower.follow('korea', host);
  });

  afterAll(async () => {
    await activitypub.close();
    await follower.close();
    await new Promise((resolve) => server.close(resolve));
    await store.close();
    data.remove();
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
    await store.put('seoul-story', body(makeRecord({ id: 'seoul-story', headline: 'Seoul opens new line', language: 'ko', published: new Date(Date.now() - 60_000).toISOString() })));
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
    await store.put('draft-story', body(makeRecord({ id: 'draft-story', headline: 'Not yet', status: 'draft', published: new Date(Date.now() - 60_000).toISOString() })));
    await store.put('embargoed-story', body(makeRecord({ id: 'embargoed-story', headline: 'Under embargo', published: soon.toISOString() })));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(of(Create, 'draft-story')).toBeUndefined();
    expect(of(Create, 'embargoed-story')).toBeUndefined();
    await waitFor('the embargoed story at its release', () => of(Create, 'embargoed-story'));
    expect(Date.now()).toBeGreaterThanOrEqual(soon.getTime());
    await store.put('draft-story', body(makeRecord({ id: 'draft-story', headline: 'Now out', published: new Date(Date.now() - 60_000).toISOString() })));
    await waitFor('the released draft', () => of(Create, 'draft-story'));
  });

  it('sends an Update after an edit and a Delete after a retraction', async () => {
    await store.put('seoul-story', body(makeRecord({ id: 'seoul-story', headline: 'Seoul opens new line (corrected)', language: 'ko', published: new Date(Date.now() - 60_000).toISOString(), updated: new Date().toISOString() })));
    const update = await waitFor('the Update', () => of(Update, 'seoul-story'));
    const note = (await (update.activity as Update).getObject()) as Note;
    expect(String(note.content)).toContain('(corrected)');
    await store.remove('seoul-story');
    const deleted = await waitFor('the Delete', () => of(Delete, 'seoul-story'));
    expect(deleted.activity.objectId?.href).toBe(`http://${host}/ap/actors/korea/stories/seoul-story`);
  });

  it('keeps the actor keys in DATA_DIR/activitypub/keys, readable by the owner only', () => {
    const dir = join(data.dir, 'activitypub', 'keys');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
  });
});

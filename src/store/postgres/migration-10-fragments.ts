import type { Migration } from './migration-steps.js';

/**
 * Issue 30: rendered feed items kept in the database (item-fragments.ts
 * reads and writes them), so a cold feed request renders only the items
 * it has no current fragment for. Nothing to backfill: an article without
 * a fragment is rendered when a feed first shows it, and that fragment is
 * stored then. A fragment is used only while its `etag` is the article's
 * and its `render_key` is the reader's (renderer version, site settings,
 * format): a write, a site change or a new renderer leaves it unused,
 * never wrong.
 */
export const ITEM_FRAGMENTS: Migration = {
  version: 10,
  name: 'rendered feed items per article and format',
  sql: `
    CREATE TABLE article_fragments (
      -- Deleting an article deletes its fragments; sync and the API delete rows by id.
      article_id text COLLATE "C" NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
      -- The format (render/render.ts FORMATS): rss, atom, json, ninjs.
      format text NOT NULL,
      -- render.ts fragmentKey: renderer version, site settings and format, hashed.
      render_key text NOT NULL,
      -- articles.etag of the article the fragment was rendered from.
      etag text NOT NULL,
      fragment text NOT NULL,
      PRIMARY KEY (article_id, format)
    );
    DO $$
    BEGIN
      EXECUTE 'ALTER TABLE article_fragments ALTER COLUMN fragment SET COMPRESSION lz4';
    EXCEPTION WHEN OTHERS THEN
      NULL;
    END
    $$;
  `,
};

import type { Article, DocumentFormat } from '../../model/types.js';
import type { FragmentStore, StoredFragment } from '../store.js';
import type { Pool } from './pool.js';
import type { PageNotes } from './read-queries.js';

/**
 * The article_fragments table (migration 10): rendered feed items kept
 * across processes. `notes.etags` holds the articles.etag of every article
 * readFeedPage returned (owned by one store): a fragment is given back
 * only when it was rendered from that very version, and stored only while
 * the row still holds it, so no writer path has to know about fragments.
 * An article whose page was read with its items (`notes.items`, same
 * format and key) is answered from them, without a statement.
 */
export function createFragmentStore(pool: Pool, notes: PageNotes, log: (line: string) => void): FragmentStore {
  const { etags, items } = notes;
  const known = (articles: readonly Article[]) => articles.filter((article) => etags.has(article));
  return {
    async read(format: DocumentFormat, key: string, articles: readonly Article[]) {
      const found = new Map<Article, string>();
      const asked: Article[] = [];
      for (const article of known(articles)) {
        const withPage = items.get(article);
        if (withPage === undefined || withPage.wanted.format !== format || withPage.wanted.key !== key) asked.push(article);
        else if (withPage.fragment !== undefined) found.set(article, withPage.fragment);
      }
      if (asked.length === 0) return found;
      try {
        // Plan: Index Scan using article_fragments_pkey (article_id = ANY, format), ~50 rows.
        const result = await pool.query<{ article_id: string; etag: string; fragment: string }>(
          'SELECT article_id, etag, fragment FROM article_fragments WHERE article_id = ANY($1::text[]) AND format = $2 AND render_key = $3',
          [asked.map((article) => article.id), format, key],
        );
        const byId = new Map(result.rows.map((row) => [row.article_id, row]));
        for (const article of asked) {
          const row = byId.get(article.id);
          if (row !== undefined && row.etag === etags.get(article)) found.set(article, row.fragment);
        }
      } catch (error) {
        // The items are rendered instead: slower, never wrong.
        log(`reading stored feed items failed (rendering them): ${(error as Error).message}`);
      }
      return found;
    },
    async write(format: DocumentFormat, key: string, fragments: readonly StoredFragment[]) {
      // One row per article: an upsert may not touch a row twice.
      const kept = [...new Map(fragments.filter(({ article }) => etags.has(article)).map((entry) => [entry.article.id, entry])).values()];
      if (kept.length === 0) return;
      try {
        // Joined to articles on the etag: an article written or deleted since it was read gets no fragment.
        // Plan: Nested Loop over unnest with Index Scan using articles_pkey; the upsert on article_fragments_pkey.
        await pool.query(
          `INSERT INTO article_fragments (article_id, format, render_key, etag, fragment)
           SELECT x.id, $4, $5, x.etag, x.fragment
           FROM unnest($1::text[], $2::text[], $3::text[]) AS x (id, etag, fragment)
           JOIN articles a ON a.id = x.id AND a.etag = x.etag
           ON CONFLICT (article_id, format) DO UPDATE SET render_key = excluded.render_key, etag = excluded.etag, fragment = excluded.fragment`,
          [kept.map(({ article }) => article.id), kept.map(({ article }) => etags.get(article)), kept.map(({ fragment }) => fragment), format, key],
        );
      } catch (error) {
        // A delete racing the insert (foreign key), a read-only standby: the items are rendered again next time.
        log(`storing rendered feed items failed: ${(error as Error).message}`);
      }
    },
  };
}


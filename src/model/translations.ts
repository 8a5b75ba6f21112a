import type { Article } from './types.js';

/**
 * Translation groups: a record may name its original with `translationOf`;
 * a group is the original and every article that names it. Resolved once
 * per snapshot from plain articles, so any store (files, a database) can
 * reuse it.
 */

/** A link that was not followed, and why; `other` is the article it points at, when that exists. */
export interface TranslationProblem {
  /** The article whose `translationOf` is ignored. */
  readonly article: Article;
  readonly other?: Article;
  readonly message: string;
}

export interface TranslationGroups {
  /** Article id → every member of its group (itself included), original first, then by language. Only grouped articles appear. */
  readonly groups: ReadonlyMap<string, readonly Article[]>;
  readonly problems: readonly TranslationProblem[];
  /** Publication instants (epoch ms, ascending) of grouped, non-draft articles: when a sibling link may appear. */
  readonly releases: readonly number[];
}

/** Primary language subtag plus script/region, compared case-insensitively: "zh-Hans" and "zh-hans" are one language. */
function languageKey(article: Article): string {
  return article.language.toLowerCase();
}

/**
 * Groups articles by the original they name. Broken links are reported and
 * ignored, never fatal: the target must exist, must not itself be a
 * translation (no chains, so no cycles either), and a group holds one
 * article per language — the first by id keeps its place, later ones are
 * left out of the group. Drafts and embargoed articles are grouped too;
 * callers hide the siblings a reader may not see yet (see visibleSiblings).
 */
export function resolveTranslationGroups(articles: readonly Article[], byId: ReadonlyMap<string, Article> = new Map(articles.map((a) => [a.id, a] as const))): TranslationGroups {
  const problems: TranslationProblem[] = [];
  const members = new Map<string, Article[]>();
  const ordered = articles.filter((a) => a.translationOf !== undefined).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Most corpora link few stories: a reload of 100,000 articles should not pay for this step.
  if (ordered.length === 0) return { groups: new Map(), problems, releases: [] };
  for (const article of ordered) {
    const targetId = article.translationOf as string;
    const target = byId.get(targetId);
    if (target === undefined) {
      problems.push({ article, message: `names ${JSON.stringify(targetId)} as its original, but no article has that id; shown without translations` });
      continue;
    }
    if (target === article) {
      problems.push({ article, message: 'names itself as its original; shown without translations' });
      continue;
    }
    if (target.translationOf !== undefined) {
      problems.push({ article, other: target, message: `names ${JSON.stringify(targetId)} as its original, but that is itself a translation of ${JSON.stringify(target.translationOf)}; name the original instead` });
      continue;
    }
    const group = members.get(targetId) ?? [target];
    const clash = group.find((m) => languageKey(m) === languageKey(article));
    if (clash !== undefined) {
      problems.push({ article, other: clash, message: `is in ${JSON.stringify(article.language)}, like ${JSON.stringify(clash.id)} in the same translation group; a group holds one article per language` });
      continue;
    }
    group.push(article);
    members.set(targetId, group);
  }
  const groups = new Map<string, readonly Article[]>();
  const releases: number[] = [];
  for (const group of members.values()) {
    for (const member of group) if (member.status === 'published') releases.push(member.published.getTime());
    const [original, ...translations] = group as [Article, ...Article[]];
    const sorted = [original, ...translations.sort((a, b) => (languageKey(a) < languageKey(b) ? -1 : 1))];
    for (const member of sorted) groups.set(member.id, sorted);
  }
  releases.sort((a, b) => a - b);
  return { groups, problems, releases };
}

/** The next instant after `now` at which a translation of one of these articles is released, if any. */
export function nextSiblingRelease(groups: ReadonlyMap<string, readonly Article[]>, articles: readonly Article[], now: Date): number | undefined {
  let next: number | undefined;
  for (const article of articles) {
    for (const member of groups.get(article.id) ?? []) {
      const at = member.published.getTime();
      if (member.status === 'published' && at > now.getTime() && (next === undefined || at < next)) next = at;
    }
  }
  return next;
}

/** What an output says about one sibling translation. */
export interface TranslationLink {
  readonly id: string;
  readonly language: string;
  readonly url: string;
  readonly headline: string;
}

/**
 * The translations of `article` a reader may see at `now`: its group's
 * other members, published and past any embargo, as links. An embargoed
 * translation is not linked before its time: its URL would announce it.
 */
export function visibleSiblings(groups: ReadonlyMap<string, readonly Article[]>, article: Article, now: Date): readonly TranslationLink[] {
  const group = groups.get(article.id);
  if (group === undefined) return [];
  const links: TranslationLink[] = [];
  for (const member of group) {
    if (member.id === article.id || member.status !== 'published' || member.published.getTime() > now.getTime()) continue;
    links.push({ id: member.id, language: member.language, url: member.url, headline: member.headline });
  }
  return links;
}

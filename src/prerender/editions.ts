import { slugify } from '../site/slug.ts';
import type { Article, Author, SiteConfig } from '../site/types.ts';
import { authorPath } from './articles.ts';

/** The articles visible from one instant on, until the next scheduled article appears. */
export interface Edition {
  /** In force from this instant (epoch ms); `null` from the start, as the site stands at the build. */
  from: number | null;
  /** Newest first. */
  visible: Article[];
}

/** A feed scope: the whole site, one tag, or one author, each with its feeds and list pages. */
export interface Scope {
  /** Path prefix without a trailing slash: '', '/tags/<slug>' or '/authors/<slug>'. */
  base: string;
  title: string;
  description: string;
  articles: Article[];
  /** The author whose articles these are: the feeds' author, and a link on the page. */
  author?: Author;
}

/** The instants after `now` at which scheduled articles appear, ascending, each once. */
export function listScheduledInstants(articles: readonly Article[], now: number): number[] {
  return [...new Set(articles.map((a) => a.publishedAt).filter((t) => t > now))].sort(
    (a, b) => a - b,
  );
}

/**
 * The site's editions: as it stands at `now`, then one from each instant of `schedule` on. Each
 * becomes versions of the documents it changes, so scheduled articles appear on time without a
 * rebuild.
 */
export function planEditions(
  articles: readonly Article[],
  schedule: readonly number[],
  now: number,
): Edition[] {
  return [null, ...schedule].map((from) => {
    const cutoff = from ?? now;
    return { from, visible: articles.filter((a) => a.publishedAt <= cutoff) };
  });
}

/** The scopes of an edition: the site, then each tag and each author with a visible article. */
export function listScopes(
  visible: readonly Article[],
  config: SiteConfig,
  tagNames: ReadonlyMap<string, string>,
  authors: ReadonlyMap<string, Author>,
): Scope[] {
  const scopes: Scope[] = [
    { base: '', title: config.title, description: config.description, articles: [...visible] },
  ];
  for (const [slug, name] of tagNames) {
    const tagged = visible.filter((a) => a.tags.some((t) => slugify(t) === slug));
    if (tagged.length === 0) continue;
    scopes.push({
      base: `/tags/${encodeURIComponent(slug)}`,
      title: `${config.title} · ${name}`,
      description: `Articles tagged “${name}”.`,
      articles: tagged,
    });
  }
  for (const [slug, author] of authors) {
    // toArticle gave every author of an article their page: it names the author here.
    const theirs = visible.filter((a) => a.authors.some((x) => x.page === author.page));
    if (theirs.length === 0) continue;
    scopes.push({
      base: authorPath(slug),
      title: `${config.title} · ${author.name}`,
      description: `Articles by ${author.name}.`,
      articles: theirs,
      author,
    });
  }
  return scopes;
}

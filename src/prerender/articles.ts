import type { ParsedArticle } from '../content/article.ts';
import { slugify } from '../site/slug.ts';
import type { Article, Author, SiteConfig } from '../site/types.ts';

/** URL path of an article's page. */
export function articlePath(slug: string): string {
  return `/articles/${slug}`;
}

/** URL path prefix of an author's page and feeds, without the trailing slash. */
export function authorPath(slug: string): string {
  return `/authors/${encodeURIComponent(slug)}`;
}

/**
 * The article as the renderers take it; each tag and author under its site-wide name (one
 * spelling each), each author once, with the page of theirs and the url and email this
 * article gives them.
 */
export function toArticle(
  p: ParsedArticle,
  config: SiteConfig,
  tagNames: ReadonlyMap<string, string>,
  authors: ReadonlyMap<string, Author>,
): Article {
  const credited = new Map<string, Author>();
  for (const author of p.authors) {
    const slug = slugify(author.name);
    const profile = authors.get(slug);
    if (!profile) continue;
    // Named twice (two spellings of one author): once, with the url or email either gives.
    const first = credited.get(slug);
    credited.set(slug, {
      ...author,
      ...first,
      name: profile.name,
      ...(profile.page ? { page: profile.page } : {}),
    });
  }
  // A summary and body the build cache reads when first asked for (src/prerender/run.ts) stay unread.
  const parts = partsOf(p);
  const article: Article = {
    slug: p.slug,
    id: `${config.siteId}${p.slug}`,
    permalink: `${config.siteUrl}${articlePath(p.slug)}`,
    title: p.title,
    publishedAt: p.publishedAt,
    summary: parts ? '' : p.summary,
    contentHtml: parts ? '' : p.contentHtml,
    authors: [...credited.values()],
    tags: [...new Set(p.tags.map((tag) => tagNames.get(slugify(tag)) ?? tag))],
    language: p.language,
  };
  if (p.updatedAt !== undefined) article.updatedAt = p.updatedAt;
  if (p.image !== undefined) article.image = p.image;
  if (p.originalUrl !== undefined) article.originalUrl = p.originalUrl;
  return parts ? withLazyParts(article, parts) : article;
}

/** An article's summary and HTML kept elsewhere (the build cache), read when first asked for: the same text at every call. */
export interface StoredParts {
  summary(): string;
  html(): string;
}

/**
 * An article whose summary and HTML are read when first asked for (the bulk of an article, and
 * most of what reading 20,000 of them cost): its other fields are its own, those two are getters
 * of the class. One getter for all keeps one shape for all such articles (a getter of each
 * object's own turns every one into a slow dictionary-mode object in V8). `Object.keys`,
 * spreads and JSON leave the two out: the render keys use `partsOf` and `fieldsWithParts`.
 */
class LazyParts {
  readonly #parts: StoredParts;

  constructor(fields: object, parts: StoredParts) {
    Object.assign(this, fields);
    this.#parts = parts;
  }

  get summary(): string {
    return this.#parts.summary();
  }

  get contentHtml(): string {
    return this.#parts.html();
  }

  /** The stored parts of a lazy article, else undefined. */
  static partsOf(article: object): StoredParts | undefined {
    return article instanceof LazyParts ? article.#parts : undefined;
  }
}

/**
 * `fields` with a `summary` and `contentHtml` that `parts` gives when they are first asked for,
 * so that a build reads only those of the articles it renders. `toArticle` passes the parts on
 * without reading them.
 */
export function withLazyParts<T extends { summary?: string; contentHtml?: string }>(
  fields: T,
  parts: StoredParts,
): T & { summary: string; contentHtml: string } {
  const { summary: _, contentHtml: __, ...rest } = fields;
  return new LazyParts(rest, parts) as unknown as T & { summary: string; contentHtml: string };
}

/** Where an article's summary and HTML are read from (`withLazyParts`), without reading them; undefined when it holds them. */
export function partsOf(article: object): StoredParts | undefined {
  return LazyParts.partsOf(article);
}

/** The article's fields with its summary and HTML (read, if they are stored), for JSON. */
export function fieldsWithParts(article: Article): object {
  return article instanceof LazyParts
    ? { ...article, summary: article.summary, contentHtml: article.contentHtml }
    : article;
}

/**
 * Every author of the site by slug: the name the index chose, the page, and the url the
 * articles give most often (ties: the first in code-point order), for the author's feeds and page.
 */
export function profileAuthors(
  published: readonly ParsedArticle[],
  names: ReadonlyMap<string, string>,
  config: SiteConfig,
): Map<string, Author> {
  const urls = new Map<string, Map<string, number>>();
  for (const p of published) {
    for (const author of p.authors) {
      if (author.url === undefined) continue;
      const slug = slugify(author.name);
      const counts = urls.get(slug) ?? new Map<string, number>();
      counts.set(author.url, (counts.get(author.url) ?? 0) + 1);
      urls.set(slug, counts);
    }
  }
  const authors = new Map<string, Author>();
  for (const [slug, name] of names) {
    const url = [...(urls.get(slug) ?? [])].sort(
      ([a, x], [b, y]) => y - x || (a < b ? -1 : 1),
    )[0]?.[0];
    authors.set(slug, {
      name,
      ...(url ? { url } : {}),
      page: `${config.siteUrl}${authorPath(slug)}/`,
    });
  }
  return authors;
}

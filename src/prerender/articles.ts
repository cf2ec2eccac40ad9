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
  // A body the build cache reads when it is first asked for (src/prerender/run.ts) stays unread.
  const body = LazyBody.readerOf(p);
  const article: Article = {
    slug: p.slug,
    id: `${config.siteId}${p.slug}`,
    permalink: `${config.siteUrl}${articlePath(p.slug)}`,
    title: p.title,
    publishedAt: p.publishedAt,
    summary: p.summary,
    contentHtml: body ? '' : p.contentHtml,
    authors: [...credited.values()],
    tags: [...new Set(p.tags.map((tag) => tagNames.get(slugify(tag)) ?? tag))],
    language: p.language,
  };
  if (p.updatedAt !== undefined) article.updatedAt = p.updatedAt;
  if (p.image !== undefined) article.image = p.image;
  if (p.originalUrl !== undefined) article.originalUrl = p.originalUrl;
  return body ? withLazyBody(article, body) : article;
}

/** Reads an article's HTML from elsewhere (the build cache): the same text at every call. */
export type BodyReader = () => string;

/**
 * An article whose HTML is read when first asked for: its other fields are its own, the body
 * is a getter of the class. One getter for all keeps one shape for all such articles (a getter
 * of each object's own makes it a slow dictionary: rendering 20,000 got 0.3 s slower).
 * `Object.keys`, spreads and JSON leave the body out: the render keys use `bodyOf` and
 * `fieldsWithBody`.
 */
class LazyBody {
  readonly #read: BodyReader;

  constructor(fields: object, read: BodyReader) {
    Object.assign(this, fields);
    this.#read = read;
  }

  get contentHtml(): string {
    return this.#read();
  }

  /** The reader of a lazy body, else undefined. */
  static readerOf(article: object): BodyReader | undefined {
    return article instanceof LazyBody ? article.#read : undefined;
  }
}

/**
 * `fields` with a `contentHtml` that `read` gives when it is first asked for, so that a build
 * reads only the bodies it renders. `toArticle` passes the reader on without calling it.
 */
export function withLazyBody<T extends { contentHtml?: string }>(
  fields: T,
  read: BodyReader,
): T & { contentHtml: string } {
  const { contentHtml: _, ...rest } = fields;
  return new LazyBody(rest, read) as unknown as T & { contentHtml: string };
}

/** What an article's HTML is, without reading it: its `withLazyBody` reader, else the text. */
export function bodyOf(article: { contentHtml: string }): unknown {
  return LazyBody.readerOf(article) ?? article.contentHtml;
}

/** The article's fields with its HTML (read, if it is lazy), for JSON. */
export function fieldsWithBody(article: Article): object {
  return article instanceof LazyBody ? { ...article, contentHtml: article.contentHtml } : article;
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

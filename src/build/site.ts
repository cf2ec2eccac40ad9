import { createHash } from 'node:crypto';
import { SaxesParser } from 'saxes';
import { renderAtomEntry, renderAtomFrame } from '../render/atom.ts';
import { assembleFeed, FEED_FILES, type FeedFrame, type FeedInfo, lastChangeOf, newestChangeOf, type PagingLinks } from '../render/feed-document.ts';
import { type FeedLinks, renderArticlePage, renderListPage, renderNotFoundPage, STYLESHEET } from '../render/html.ts';
import { renderJsonFrame, renderJsonItem } from '../render/json-feed.ts';
import { renderRssFrame, renderRssItem } from '../render/rss.ts';
import { formatEtag } from '../site/etag.ts';
import { slugify } from '../site/slug.ts';
import type { Article, Author, BodyType, BuiltSite, Lifetime, SiteConfig, Version } from '../site/types.ts';
import type { ParsedArticle, Problem } from './article.ts';
import { AUTHOR_NAMES, indexNames, TAG_NAMES } from './names.ts';

/** Outcome of assembling the site: the site and notes, or the problems that stop it. */
export interface SiteResult {
  site?: BuiltSite;
  problems: Problem[];
  /** Things the author should know that are not errors (merged tag and author spellings). */
  notes: string[];
}

/**
 * Turns parsed articles into every response the Worker serves. Drafts are left out.
 * Articles dated after `now` open new versions of the documents that list them, in force
 * from their date on, so they appear on time without a rebuild.
 */
export function buildSite(parsed: readonly ParsedArticle[], config: SiteConfig, now: number): SiteResult {
  const published = parsed.filter((p) => !p.draft);
  const tagIndex = indexNames(published, TAG_NAMES);
  const authorIndex = indexNames(published, AUTHOR_NAMES);
  const problems = [...findDuplicateSlugs(parsed), ...tagIndex.problems, ...authorIndex.problems];
  const notes = [...tagIndex.notes, ...authorIndex.notes];
  if (problems.length > 0) return { problems, notes };

  const authors = profileAuthors(published, authorIndex.names, config);
  const articles = published
    .map((p) => toArticle(p, config, tagIndex.names, authors))
    .sort((a, b) => b.publishedAt - a.publishedAt || (a.slug < b.slug ? -1 : 1));
  const builder = new SiteBuilder(config);
  const schedule = [...new Set(articles.map((a) => a.publishedAt).filter((t) => t > now))].sort((a, b) => a - b);
  for (const from of [null, ...schedule]) {
    const cutoff = from ?? now;
    builder.addEdition(
      from,
      articles.filter((a) => a.publishedAt <= cutoff),
      tagIndex.names,
      authors,
    );
  }
  return { site: builder.finish(schedule, articles, tagIndex.names), problems: [], notes };
}

/** The UTF-8 bytes of each built site's chunks, as the builder encoded them for hashing. */
const encodedChunks = new WeakMap<BuiltSite, readonly Uint8Array[]>();

/** A site's chunks as UTF-8 bytes: encoded once during the build, or now for a site from elsewhere. */
export function chunkBytesOf(site: BuiltSite): readonly (string | Uint8Array)[] {
  return encodedChunks.get(site) ?? site.chunks;
}

/** A version before its ETag is computed. */
type Draft = Omit<Version, 'from' | 'etag'>;

/** A feed scope: the whole site, one tag, or one author. */
interface Scope {
  /** Path prefix without a trailing slash: '', '/tags/<slug>' or '/authors/<slug>'. */
  base: string;
  title: string;
  description: string;
  articles: Article[];
  /** The author whose articles these are: the feeds' author, and a link on the page. */
  author?: Author;
}

class SiteBuilder {
  readonly #config: SiteConfig;
  readonly #chunks: string[] = [];
  readonly #chunkIndex = new Map<string, number>();
  readonly #encoded: Buffer[] = [];
  readonly #routes = new Map<string, Version[]>();
  readonly #items = new Map<string, { page: number[]; rss: number; atom: number; json: number }>();
  readonly #jsonSeparator: number;

  constructor(config: SiteConfig) {
    this.#config = config;
    this.#jsonSeparator = this.#chunk(',\n');
  }

  /** Renders the documents as they stand with `visible` published, in force from `from`. */
  addEdition(from: number | null, visible: readonly Article[], tagNames: ReadonlyMap<string, string>, authors: ReadonlyMap<string, Author>): void {
    const config = this.#config;
    const drafts = new Map<string, Draft>();
    for (const article of visible) {
      const parts = this.#itemParts(article);
      drafts.set(articlePath(article.slug), { parts: parts.page, lastModified: lastChangeOf(article), type: 'html', lifetime: 'page' });
    }
    const scopes: Scope[] = [{ base: '', title: config.title, description: config.description, articles: [...visible] }];
    for (const [slug, name] of tagNames) {
      const tagged = visible.filter((a) => a.tags.some((t) => slugify(t) === slug));
      if (tagged.length === 0) continue;
      scopes.push({ base: `/tags/${encodeURIComponent(slug)}`, title: `${config.title} · ${name}`, description: `Articles tagged “${name}”.`, articles: tagged });
    }
    for (const [slug, author] of authors) {
      // toArticle gave every author of an article their page: it names the author here.
      const theirs = visible.filter((a) => a.authors.some((x) => x.page === author.page));
      if (theirs.length === 0) continue;
      scopes.push({ base: authorPath(slug), title: `${config.title} · ${author.name}`, description: `Articles by ${author.name}.`, articles: theirs, author });
    }
    for (const scope of scopes) this.#addScope(scope, drafts);

    for (const [path, draft] of drafts) {
      const versions = this.#routes.get(path) ?? [];
      const last = versions.at(-1);
      if (last && draftKey(last) === draftKey(draft)) continue;
      versions.push({ from, ...draft, etag: this.#etag(draft.parts) });
      this.#routes.set(path, versions);
    }
  }

  finish(schedule: number[], articles: readonly Article[], tagNames: ReadonlyMap<string, string>): BuiltSite {
    const config = this.#config;
    const feeds = feedLinksOf(`${config.siteUrl}/`);
    const notFound = this.#chunk(renderNotFoundPage(config, feeds));
    const queryFrame = renderJsonFrame(this.#info({ base: '', title: config.title, description: config.description, articles: [] }, `${config.siteUrl}/`, {}, 0));
    const styleHash = createHash('sha256').update(STYLESHEET).digest('base64');
    const contentSecurityPolicy = `default-src 'none'; style-src 'sha256-${styleHash}'; img-src https: http:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
    const site: Omit<BuiltSite, 'buildId'> = {
      config,
      contentSecurityPolicy,
      schedule,
      chunks: this.#chunks,
      routes: Object.fromEntries(this.#routes),
      notFound,
      query: {
        items: articles.map((a) => ({
          publishedAt: a.publishedAt,
          changedAt: lastChangeOf(a),
          tags: [...new Set(a.tags.map(slugify))],
          authors: [...new Set(a.authors.map((x) => slugify(x.name)))],
          json: this.#itemParts(a).json,
        })),
        head: this.#chunk(queryFrame.head),
        separator: queryFrame.separator,
        tail: this.#chunk(queryFrame.tail),
        tags: Object.fromEntries(tagNames),
      },
    };
    // The chunks are hashed as bytes already encoded for the ETags, the rest as JSON.
    const hash = createHash('sha256').update(JSON.stringify({ ...site, chunks: this.#chunks.length }));
    for (let i = 0; i < this.#chunks.length; i++) hash.update(this.#bytesOf(i));
    const buildId = hash.digest('hex').slice(0, 16);
    const built = { buildId, ...site };
    encodedChunks.set(built, this.#chunks.map((_, i) => this.#bytesOf(i)));
    return built;
  }

  /**
   * Main feeds, list page and RFC 5005 archive pages of one scope. Archive pages are counted
   * from the oldest item: page k holds chronological items (k−1)N+1 … kN, and the subscription
   * document everything newer than the newest page (N to 2N−1 items once there are N or more).
   * So no item is on two documents, and a page holds the same items from the day it appears.
   */
  #addScope(scope: Scope, drafts: Map<string, Draft>): void {
    const { siteUrl, feedItemLimit: size } = this.#config;
    const list = scope.articles;
    const chrono = [...list].reverse();
    // A page appears only once a full page is left over for the subscription document.
    const pages = Math.max(0, Math.floor(list.length / size) - 1);
    const main = `${siteUrl}${scope.base}/`;
    const archive = (k: number): string => `${siteUrl}${scope.base}/archive/${k}/`;
    const documents: { location: string; items: Article[]; paging: PagingLinks; lifetime: Lifetime; newer?: string; older?: string }[] = [
      {
        location: main,
        items: list.slice(0, list.length - pages * size),
        paging: { first: main, ...(pages > 0 ? { next: archive(pages) } : {}), last: pages > 0 ? archive(1) : main },
        lifetime: 'feed',
        ...(pages > 0 ? { older: archive(pages) } : {}),
      },
    ];
    for (let k = 1; k <= pages; k++) {
      documents.push({
        location: archive(k),
        items: chrono.slice((k - 1) * size, k * size).reverse(),
        paging: { first: main, ...(k > 1 ? { next: archive(k - 1) } : {}), previous: k < pages ? archive(k + 1) : main, last: archive(1) },
        // Its items never change, but the newest page's `previous` (and its page's "Newer
        // articles") moves from the subscription document to page k+1 when that appears:
        // only a page with an archive page above it has bytes that can no longer change.
        lifetime: k < pages ? 'archive' : 'feed',
        newer: k < pages ? archive(k + 1) : main,
        ...(k > 1 ? { older: archive(k - 1) } : {}),
      });
    }
    for (const doc of documents) {
      const updatedAt = newestChangeOf(doc.items);
      const info = this.#info(scope, doc.location, doc.paging, updatedAt);
      info.subscribable = doc.location === main;
      const path = doc.location.slice(siteUrl.length);
      const itemParts = doc.items.map((a) => this.#itemParts(a));
      const link = info.subscribable && this.#config.websubHub ? `<${this.#config.websubHub}>; rel="hub", <${doc.location}${FEED_FILES.rss}>; rel="self"` : undefined;
      const formats: [BodyType, string, (i: FeedInfo) => FeedFrame, 'rss' | 'atom' | 'json'][] = [
        ['rss', FEED_FILES.rss, renderRssFrame, 'rss'],
        ['atom', FEED_FILES.atom, renderAtomFrame, 'atom'],
        ['json', FEED_FILES.json, renderJsonFrame, 'json'],
      ];
      for (const [type, file, render, key] of formats) {
        const frame = this.#frame(type, info, render);
        const separator = type === 'json' ? [this.#jsonSeparator] : [];
        const parts = [frame.head, ...itemParts.flatMap((p, i) => (i === 0 ? [p[key]] : [...separator, p[key]])), frame.tail];
        const selfLink = link?.replace(`${FEED_FILES.rss}>; rel="self"`, `${file}>; rel="self"`);
        drafts.set(path + file, { parts, lastModified: updatedAt, type, lifetime: doc.lifetime, ...(selfLink ? { link: selfLink } : {}) });
      }
      const page = renderListPage({
        config: this.#config,
        heading: doc.location === main ? scope.title : `${scope.title} · page ${path.split('/').at(-2)}`,
        ...(scope.description ? { description: scope.description } : {}),
        articles: doc.items,
        feeds: feedLinksOf(main),
        ...(scope.author ? { author: scope.author } : {}),
        canonical: doc.location,
        ...(doc.newer ? { newer: doc.newer } : {}),
        ...(doc.older ? { older: doc.older } : {}),
      });
      drafts.set(path, { parts: this.#pageParts(page), lastModified: updatedAt, type: 'html', lifetime: doc.lifetime === 'archive' ? 'archive' : 'page' });
    }
  }

  #info(scope: Scope, location: string, paging: PagingLinks, updatedAt: number): FeedInfo {
    const { siteUrl } = this.#config;
    return {
      config: this.#config,
      title: scope.title,
      description: scope.description,
      homeUrl: location,
      self: location,
      subscription: `${siteUrl}${scope.base}/`,
      paging,
      updatedAt,
      subscribable: false,
      ...(scope.author ? { author: scope.author } : {}),
    };
  }

  /** Renders a frame into chunks, checking that an XML frame is well-formed. */
  #frame(type: BodyType, info: FeedInfo, render: (i: FeedInfo) => FeedFrame): { head: number; tail: number } {
    const frame = render(info);
    if (type !== 'json') assertWellFormed(assembleFeed(frame, []), type);
    const head = this.#chunk(frame.head);
    const tail = this.#chunk(frame.tail);
    return { head, tail };
  }

  /** An article's page and feed items, rendered once and stored side by side. */
  #itemParts(article: Article): { page: number[]; rss: number; atom: number; json: number } {
    const known = this.#items.get(article.slug);
    if (known) return known;
    const config = this.#config;
    const tagUrl = (tag: string): string => `${config.siteUrl}/tags/${encodeURIComponent(slugify(tag))}/`;
    // Side by side in the chunk table, the four renderings of one body sit within gzip's
    // 32 KiB window, so the bundle stores the text about once.
    const page = this.#pageParts(renderArticlePage(config, article, feedLinksOf(`${config.siteUrl}/`), tagUrl));
    const rss = renderRssItem(article, config);
    const atom = renderAtomEntry(article, config);
    assertWellFormed(rss, 'rss', true);
    assertWellFormed(atom, 'atom', true);
    const parts = { page, rss: this.#chunk(rss), atom: this.#chunk(atom), json: this.#chunk(renderJsonItem(article)) };
    this.#items.set(article.slug, parts);
    return parts;
  }

  /** An HTML page as chunks, its inline stylesheet (the same on every page) stored once. */
  #pageParts(html: string): number[] {
    const style = `<style>${STYLESHEET}</style>`;
    const at = html.indexOf(style);
    if (at === -1) return [this.#chunk(html)];
    return [this.#chunk(html.slice(0, at)), this.#chunk(style), this.#chunk(html.slice(at + style.length))];
  }

  #chunk(text: string): number {
    const known = this.#chunkIndex.get(text);
    if (known !== undefined) return known;
    this.#chunks.push(text);
    this.#chunkIndex.set(text, this.#chunks.length - 1);
    return this.#chunks.length - 1;
  }

  /** Strong entity tag (RFC 9110 §8.8.3) from the SHA-256 of the body's UTF-8 bytes. */
  #etag(parts: readonly number[]): string {
    const hash = createHash('sha256');
    for (const part of parts) hash.update(this.#bytesOf(part));
    return formatEtag(hash.digest());
  }

  /** A chunk's UTF-8 bytes, encoded once however many bodies hash it. */
  #bytesOf(index: number): Buffer {
    let bytes = this.#encoded[index];
    if (bytes === undefined) this.#encoded[index] = bytes = Buffer.from(this.#chunks[index] ?? '', 'utf8');
    return bytes;
  }
}

/** URL path of an article's page. */
export function articlePath(slug: string): string {
  return `/articles/${slug}`;
}

/** URL path prefix of an author's page and feeds, without the trailing slash. */
function authorPath(slug: string): string {
  return `/authors/${encodeURIComponent(slug)}`;
}

function feedLinksOf(location: string): FeedLinks {
  return { rss: location + FEED_FILES.rss, atom: location + FEED_FILES.atom, json: location + FEED_FILES.json };
}

function draftKey(draft: Draft): string {
  return `${draft.type}|${draft.lifetime}|${draft.link ?? ''}|${draft.parts.join(',')}`;
}

/**
 * The article as the renderers take it; each tag and author under its site-wide name (one
 * spelling each), each author once, with the page of theirs and the url and email this
 * article gives them.
 */
function toArticle(p: ParsedArticle, config: SiteConfig, tagNames: ReadonlyMap<string, string>, authors: ReadonlyMap<string, Author>): Article {
  const credited = new Map<string, Author>();
  for (const author of p.authors) {
    const slug = slugify(author.name);
    const profile = authors.get(slug);
    if (!profile) continue;
    // Named twice (two spellings of one author): once, with the url or email either gives.
    const first = credited.get(slug);
    credited.set(slug, { ...author, ...first, name: profile.name, ...(profile.page ? { page: profile.page } : {}) });
  }
  const article: Article = {
    slug: p.slug,
    id: `${config.siteId}${p.slug}`,
    permalink: `${config.siteUrl}${articlePath(p.slug)}`,
    title: p.title,
    publishedAt: p.publishedAt,
    summary: p.summary,
    contentHtml: p.contentHtml,
    authors: [...credited.values()],
    tags: [...new Set(p.tags.map((tag) => tagNames.get(slugify(tag)) ?? tag))],
    language: p.language,
  };
  if (p.updatedAt !== undefined) article.updatedAt = p.updatedAt;
  if (p.image !== undefined) article.image = p.image;
  if (p.originalUrl !== undefined) article.originalUrl = p.originalUrl;
  return article;
}

/**
 * Every author of the site by slug: the name the index chose, the page, and the url the
 * articles give most often (ties: the first in code-point order), for the author's feeds and page.
 */
function profileAuthors(published: readonly ParsedArticle[], names: ReadonlyMap<string, string>, config: SiteConfig): Map<string, Author> {
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
    const url = [...(urls.get(slug) ?? [])].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))[0]?.[0];
    authors.set(slug, { name, ...(url ? { url } : {}), page: `${config.siteUrl}${authorPath(slug)}/` });
  }
  return authors;
}

function findDuplicateSlugs(parsed: readonly ParsedArticle[]): Problem[] {
  const seen = new Map<string, string>();
  const problems: Problem[] = [];
  for (const p of parsed) {
    const first = seen.get(p.slug);
    if (first === undefined) {
      seen.set(p.slug, p.file);
      continue;
    }
    // The slug is the file name alone, so articles filed in different folders can collide.
    const folderOf = (file: string): string => file.slice(0, file.lastIndexOf('/'));
    const why = folderOf(first) === folderOf(p.file) ? '' : ' (the slug is the file name, whatever its folder)';
    problems.push({ file: p.file, line: 1, field: 'slug', message: `duplicate slug "${p.slug}": ${first} has the same one${why}; rename one of the files` });
  }
  return problems;
}

const FRAGMENT_ROOT =
  '<root xmlns="http://www.w3.org/2005/Atom" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">';

/**
 * Guards the wrapper around feed: XML that a strict, namespace-aware XML 1.0 parser refuses
 * (saxes, as jsdom uses; 4x faster than a DOM parser here) is never written.
 */
function assertWellFormed(xml: string, format: string, fragment = false): void {
  let problem: Error | undefined;
  const parser = new SaxesParser({ xmlns: true });
  parser.on('error', (error) => {
    problem ??= error;
  });
  parser.write(fragment ? `${FRAGMENT_ROOT}${xml}</root>` : xml).close();
  if (problem) throw new Error(`internal error: ${format} output is not well-formed XML: ${problem.message}`);
}

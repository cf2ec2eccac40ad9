import { createHash } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { renderAtom } from '../render/atom.ts';
import { type FeedDocument, newestChangeOf } from '../render/feed-document.ts';
import { type FeedLinks, renderArticlePage, renderIndexPage, renderNotFoundPage, STYLESHEET } from '../render/html.ts';
import { renderJsonFeed } from '../render/json-feed.ts';
import { renderRss } from '../render/rss.ts';
import type { Article, BuiltSite, Edition, Page, Rendered, SiteConfig } from '../site/types.ts';
import type { ParsedArticle, Problem } from './article.ts';

/** Paths of the canonical feed documents. */
export const FEED_PATHS = { rss: '/rss.xml', atom: '/atom.xml', json: '/feed.json' } as const;

/**
 * Turns parsed articles into every response body the Worker serves. Drafts are left out;
 * articles dated after `now` open editions of the feeds that apply from their date on, so
 * they appear on time without a rebuild.
 */
export function buildSite(parsed: readonly ParsedArticle[], config: SiteConfig, now: number): { site?: BuiltSite; problems: Problem[] } {
  const problems = findDuplicateSlugs(parsed);
  if (problems.length > 0) return { problems };

  const articles = parsed
    .filter((p) => !p.draft)
    .map((p) => toArticle(p, config))
    .sort((a, b) => b.publishedAt - a.publishedAt || a.slug.localeCompare(b.slug));

  const feeds: FeedLinks = {
    rss: `${config.siteUrl}${FEED_PATHS.rss}`,
    atom: `${config.siteUrl}${FEED_PATHS.atom}`,
    json: `${config.siteUrl}${FEED_PATHS.json}`,
  };
  const scheduled = [...new Set(articles.map((a) => a.publishedAt).filter((t) => t > now))].sort((a, b) => a - b);
  const editions: Edition[] = [null, ...scheduled].map((from) => {
    const visible = articles.filter((a) => a.publishedAt <= (from ?? now));
    return renderEdition(config, visible, feeds, from);
  });

  const pages: Record<string, Page> = {};
  for (const article of articles) {
    pages[article.slug] = { ...rendered(renderArticlePage(config, article, feeds), newestChangeOf([article])), visibleFrom: article.publishedAt };
  }
  const notFound = rendered(renderNotFoundPage(config, feeds), 0);
  const styleHash = createHash('sha256').update(STYLESHEET).digest('base64');
  const contentSecurityPolicy = `default-src 'none'; style-src 'sha256-${styleHash}'; img-src https: http:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

  const buildId = createHash('sha256')
    .update(JSON.stringify(config))
    .update(editions.map((ed) => `${ed.from}:${ed.rss.etag}${ed.atom.etag}${ed.json.etag}${ed.index.etag}`).join())
    .update(Object.values(pages).map((p) => `${p.visibleFrom}:${p.etag}`).join())
    .update(notFound.etag)
    .digest('hex')
    .slice(0, 16);
  return { site: { buildId, config, editions, pages, notFound, contentSecurityPolicy }, problems: [] };
}

function renderEdition(config: SiteConfig, visible: Article[], feeds: FeedLinks, from: number | null): Edition {
  const newest = visible.slice(0, config.feedItemLimit);
  const updatedAt = newestChangeOf(newest);
  const doc: FeedDocument = { config, articles: newest, urls: { ...feeds, home: `${config.siteUrl}/` }, updatedAt };
  const rss = renderRss(doc);
  const atom = renderAtom(doc);
  assertWellFormed(rss, 'RSS');
  assertWellFormed(atom, 'Atom');
  return {
    from,
    rss: rendered(rss, updatedAt),
    atom: rendered(atom, updatedAt),
    json: rendered(renderJsonFeed(doc), updatedAt),
    index: rendered(renderIndexPage(config, newest, feeds), updatedAt),
  };
}

function toArticle(p: ParsedArticle, config: SiteConfig): Article {
  const article: Article = {
    slug: p.slug,
    id: `${config.siteId}${p.slug}`,
    permalink: `${config.siteUrl}/articles/${p.slug}`,
    title: p.title,
    publishedAt: p.publishedAt,
    summary: p.summary,
    contentHtml: p.contentHtml,
    authors: p.authors,
    tags: p.tags,
    language: p.language,
  };
  if (p.updatedAt !== undefined) article.updatedAt = p.updatedAt;
  if (p.image !== undefined) article.image = p.image;
  if (p.originalUrl !== undefined) article.originalUrl = p.originalUrl;
  return article;
}

function findDuplicateSlugs(parsed: readonly ParsedArticle[]): Problem[] {
  const seen = new Map<string, string>();
  const problems: Problem[] = [];
  for (const p of parsed) {
    const first = seen.get(p.slug);
    if (first === undefined) seen.set(p.slug, p.file);
    else problems.push({ file: p.file, line: 1, field: 'slug', message: `duplicate slug "${p.slug}": ${first} has the same one; rename one of the files` });
  }
  return problems;
}

/** Wraps a body with its strong ETag (RFC 9110 §8.8.3) from the SHA-256 of its UTF-8 bytes. */
function rendered(body: string, lastModified: number): Rendered {
  const etag = `"${createHash('sha256').update(body, 'utf8').digest('base64url').slice(0, 27)}"`;
  return { body, etag, lastModified };
}

/** Guards the wrapper around feed: a document that a strict parser refuses is never written. */
function assertWellFormed(xml: string, format: string): void {
  const errors: string[] = [];
  new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  }).parseFromString(xml, 'application/xml');
  if (errors.length > 0) throw new Error(`internal error: the ${format} document is not well-formed XML: ${errors[0]}`);
}

import type { Article, SiteConfig } from '../site/types.ts';

/** What one feed document shows: the site, its newest articles, and where it lives. */
export interface FeedDocument {
  config: SiteConfig;
  /** Visible articles, newest first, already cut to the feed's size. */
  articles: Article[];
  /** Absolute URLs of this document in each format (for self and alternate links). */
  urls: { rss: string; atom: string; json: string; home: string };
  /** Newest publication or update among the visible articles; never the clock. */
  updatedAt: number;
}

/** The instant an article last changed: its update date, else its publication date. */
export function lastChangeOf(article: Article): number {
  return article.updatedAt ?? article.publishedAt;
}

/** The `updated` of a feed listing these articles: the newest change, or 0 when empty. */
export function newestChangeOf(articles: readonly Article[]): number {
  let newest = 0;
  for (const article of articles) newest = Math.max(newest, lastChangeOf(article));
  return newest;
}

import type { Article, Author, SiteConfig } from '../site/types.ts';

/**
 * A feed document's own fields: everything but its items. Locations are base URLs ending
 * in `/`; each format appends its file name (`rss.xml`, `atom.xml`, `feed.json`).
 */
export interface FeedInfo {
  config: SiteConfig;
  title: string;
  description: string;
  /** The HTML page this feed mirrors (`rel="alternate"`). */
  homeUrl: string;
  /** This document's location. */
  self: string;
  /** The subscription document of this feed, for JSON Feed `feed_url`. */
  subscription: string;
  /** RFC 5005 §3 paged-feed links, as locations. */
  paging: PagingLinks;
  /** Newest change among the items; never the clock. */
  updatedAt: number;
  /** Whether readers subscribe to this document (announce the WebSub hub), or it is an archive page. */
  subscribable: boolean;
  /** The feed's author, for one author's feeds; else SITE_AUTHOR. */
  author?: Author;
}

/** RFC 5005 paging relations, each a feed location. */
export interface PagingLinks {
  first?: string;
  next?: string;
  previous?: string;
  last?: string;
}

/** A feed document split around its items: `head + items.join(separator) + tail`. */
export interface FeedFrame {
  head: string;
  separator: string;
  tail: string;
}

/** File names of each format within a feed location. */
export const FEED_FILES = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' } as const;

/**
 * The link that stands for an author in the feeds (Atom `uri`, JSON Feed `url`) and JSON-LD:
 * the author's own url where given, else their page on this site, which is about them.
 */
export function authorLinkOf(author: Author): string | undefined {
  return author.url ?? author.page;
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

/** Joins a frame and item fragments into the document. */
export function assembleFeed(frame: FeedFrame, items: readonly string[]): string {
  return frame.head + items.join(frame.separator) + frame.tail;
}

const IMAGE_TYPES: Record<string, string> = {
  avif: 'image/avif',
  gif: 'image/gif',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  png: 'image/png',
  svg: 'image/svg+xml',
  webp: 'image/webp',
};

/** The media type of an image URL, from its extension; undefined when unknown. */
export function imageTypeOf(url: string): string | undefined {
  const extension = /\.([a-z0-9]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : IMAGE_TYPES[extension];
}

import type { Article, Author } from '../site/types.ts';
import { type FeedDocument, lastChangeOf } from './feed-document.ts';

/** JSON Feed 1.1 top-level object (https://www.jsonfeed.org/version/1.1/). */
export interface JsonFeed {
  version: 'https://jsonfeed.org/version/1.1';
  title: string;
  home_page_url: string;
  feed_url: string;
  description?: string;
  language: string;
  authors: JsonFeedAuthor[];
  next_url?: string;
  items: JsonFeedItem[];
}

/** JSON Feed 1.1 author object. */
export interface JsonFeedAuthor {
  name: string;
  url?: string;
}

/** JSON Feed 1.1 item. */
export interface JsonFeedItem {
  id: string;
  url: string;
  external_url?: string;
  title: string;
  content_html: string;
  summary: string;
  image?: string;
  date_published: string;
  date_modified: string;
  authors: JsonFeedAuthor[];
  tags?: string[];
  language: string;
}

/**
 * Renders JSON Feed 1.1. feed 6.0.0 only writes version 1 (singular `author`, no
 * `language`), so this is a small typed serializer of its own.
 */
export function renderJsonFeed(doc: FeedDocument): string {
  const { config } = doc;
  const feed: JsonFeed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: config.title,
    home_page_url: doc.urls.home,
    feed_url: doc.urls.json,
    ...(config.description ? { description: config.description } : {}),
    language: config.language,
    // 1.1 replaces `author` with an `authors` array (§ "authors").
    authors: [{ name: config.defaultAuthor }],
    items: doc.articles.map(renderItem),
  };
  return `${JSON.stringify(feed, null, 2)}\n`;
}

function renderItem(article: Article): JsonFeedItem {
  return {
    id: article.id,
    url: article.permalink,
    ...(article.originalUrl ? { external_url: article.originalUrl } : {}),
    title: article.title,
    content_html: article.contentHtml,
    summary: article.summary,
    ...(article.image ? { image: article.image } : {}),
    date_published: new Date(article.publishedAt).toISOString(),
    date_modified: new Date(lastChangeOf(article)).toISOString(),
    authors: article.authors.map(renderAuthor),
    ...(article.tags.length > 0 ? { tags: article.tags } : {}),
    language: article.language,
  };
}

function renderAuthor(author: Author): JsonFeedAuthor {
  return author.url ? { name: author.name, url: author.url } : { name: author.name };
}

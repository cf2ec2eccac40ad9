import type { Article, Author } from '../site/types.ts';
import {
  authorLinkOf,
  FEED_FILES,
  type FeedFrame,
  type FeedInfo,
  lastChangeOf,
} from './feed-document.ts';

/** JSON Feed 1.1 top-level object (https://www.jsonfeed.org/version/1.1/). */
export interface JsonFeed {
  version: 'https://jsonfeed.org/version/1.1';
  title: string;
  home_page_url: string;
  feed_url: string;
  description?: string;
  icon?: string;
  favicon?: string;
  language: string;
  authors: JsonFeedAuthor[];
  next_url?: string;
  hubs?: { type: string; url: string }[];
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
 * Renders one article as a JSON Feed 1.1 item, indented to sit in the `items` array.
 * feed 6.0.0 only writes version 1 (singular `author`, no `language`), so this is a small
 * typed serializer of its own.
 */
export function renderJsonItem(article: Article): string {
  return indent(JSON.stringify(toJsonItem(article), null, 2), '    ');
}

/** Renders a JSON Feed 1.1 document's top level around its items. */
export function renderJsonFrame(info: FeedInfo): FeedFrame {
  const { config } = info;
  const top: Omit<JsonFeed, 'items'> = {
    version: 'https://jsonfeed.org/version/1.1',
    title: info.title,
    home_page_url: info.homeUrl,
    feed_url: info.subscription + FEED_FILES.json,
    ...(info.description ? { description: info.description } : {}),
    ...(config.logo ? { icon: config.logo } : {}),
    ...(config.icon ? { favicon: config.icon } : {}),
    language: config.language,
    // 1.1 replaces `author` with an `authors` array.
    authors: [info.author ? renderAuthor(info.author) : { name: config.defaultAuthor }],
    // Paging: only "next" exists in JSON Feed, and it is never this page or an earlier one.
    ...(info.paging.next !== undefined ? { next_url: info.paging.next + FEED_FILES.json } : {}),
    ...(info.subscribable && config.websubHub
      ? { hubs: [{ type: 'WebSub', url: config.websubHub }] }
      : {}),
  };
  const json = JSON.stringify(top, null, 2);
  return { head: `${json.slice(0, -2)},\n  "items": [\n`, separator: ',\n', tail: '\n  ]\n}\n' };
}

function toJsonItem(article: Article): JsonFeedItem {
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
  const url = authorLinkOf(author);
  return url ? { name: author.name, url } : { name: author.name };
}

/** Indents every line; JSON strings hold no raw newlines, so only structure moves. */
function indent(json: string, by: string): string {
  return by + json.replaceAll('\n', `\n${by}`);
}

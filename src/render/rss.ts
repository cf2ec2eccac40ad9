import type { Extension, Item } from 'feed';
import type { Article, SiteConfig } from '../site/types.ts';
import {
  FEED_FILES,
  type FeedFrame,
  type FeedInfo,
  imageTypeOf,
  lastChangeOf,
} from './feed-document.ts';
import { cdata, type FeedEntry, plain, renderFrame, renderItems, text } from './safe-feed.ts';
import { escapeHtml } from './text.ts';

/** Namespaces of the items' content:encoded, dc:creator and atom:link, and of the channel's atom:link. */
const NAMESPACES = {
  'xmlns:atom': 'http://www.w3.org/2005/Atom',
  'xmlns:content': 'http://purl.org/rss/1.0/modules/content/',
  'xmlns:dc': 'http://purl.org/dc/elements/1.1/',
};

/**
 * Renders one article as an RSS 2.0 `<item>` (RSS Advisory Board profile): `content:encoded`
 * for the full body, `dc:creator` for authors, `atom:link rel="via"` for the original. It
 * takes the site like renderAtomEntry, though nothing in an RSS item depends on it.
 */
export function renderRssItem(article: Article, config: SiteConfig): string {
  return renderRssItems([article], config)[0] as string;
}

/**
 * Renders articles as RSS 2.0 `<item>`s, the same text as renderRssItem gives each, in one
 * feed document (the build's way: feed renders its channel once for all of them).
 */
export function renderRssItems(
  articles: readonly Article[],
  _config: SiteConfig,
  check?: (item: string) => void,
): string[] {
  return renderItems('rss2', articles.map(rssEntryOf), check);
}

/** An article as feed's fields for an RSS item, and its content (an addition, see safe-feed.ts). */
function rssEntryOf(article: Article): FeedEntry {
  const extensions: Extension[] = [
    // RSS <author> must be an e-mail address; names go in dc:creator instead.
    { name: 'dc:creator', objects: { _text: text(article.authors.map((a) => a.name).join(', ')) } },
  ];
  if (article.originalUrl) {
    // RFC 4287 §4.2.7.2 "via": the source the entry's information came from.
    extensions.push({
      name: 'atom:link',
      objects: { _attributes: { rel: 'via', href: plain(article.originalUrl) } },
    });
  }
  const item: Item = {
    // Plain text (the build refuses titles an HTML-reading client would read as markup).
    title: text(article.title),
    link: article.permalink,
    // A tag: URI is no URL to open, so isPermaLink="false" (feed sets it for `guid`).
    guid: plain(article.id),
    date: new Date(lastChangeOf(article)),
    // pubDate is the publication date (feed prefers `published` over `date`).
    published: new Date(article.publishedAt),
    description: cdata(escapeHtml(article.summary)),
    category: article.tags.map((tag) => ({ name: text(tag) })),
    extensions,
  };
  if (article.image) {
    // The build cannot know a remote image's size; the RSS profile asks for length 0 then.
    item.enclosure = {
      url: article.image,
      length: 0,
      type: imageTypeOf(article.image) ?? 'application/octet-stream',
    };
  }
  return { item, additions: { content: article.contentHtml } };
}

/** Renders an RSS 2.0 document's channel around its items, with RFC 5005 paging links. */
export function renderRssFrame(info: FeedInfo): FeedFrame {
  const { config } = info;
  const links = [
    `<atom:link href="${escapeHtml(info.self + FEED_FILES.rss)}" rel="self" type="application/rss+xml"/>`,
    ...(info.subscribable && config.websubHub
      ? [`<atom:link href="${escapeHtml(config.websubHub)}" rel="hub"/>`]
      : []),
    ...pagingLinks(info, FEED_FILES.rss, 'application/rss+xml'),
  ];
  const { head, tail } = renderFrame(
    'rss2',
    {
      title: text(info.title),
      description: text(info.description || info.title),
      link: info.homeUrl,
      language: config.language,
      updated: new Date(info.updatedAt),
      generator: false,
      ...(config.logo ? { image: config.logo } : {}),
    },
    // feed writes its own atom:link only from `feed` and `hub`, and not the paging relations.
    { elements: links, attributes: NAMESPACES },
  );
  return { head, separator: '', tail };
}

/** `atom:link` elements for the RFC 5005 relations present in `info.paging`. */
export function pagingLinks(
  info: FeedInfo,
  file: string,
  type: string,
  prefix = 'atom:link',
): string[] {
  return (['first', 'next', 'previous', 'last'] as const).flatMap((rel) => {
    const base = info.paging[rel];
    return base === undefined
      ? []
      : [`<${prefix} href="${escapeHtml(base + file)}" rel="${rel}" type="${type}"/>`];
  });
}

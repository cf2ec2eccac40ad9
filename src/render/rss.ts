import type { Extension, Item } from 'feed';
import { type FeedDocument, lastChangeOf } from './feed-document.ts';
import { cdata, plain, renderSafely } from './safe-feed.ts';
import { escapeHtml } from './text.ts';

/**
 * Renders an RSS 2.0 document (RSS Advisory Board profile) with `content:encoded` for the
 * full body, `dc:creator` for authors and `atom:link rel="self"`.
 */
export function renderRss(doc: FeedDocument): string {
  const { config } = doc;
  const items: Item[] = doc.articles.map((article) => {
    const extensions: Extension[] = [
      // RSS <author> must be an e-mail address; names go in dc:creator instead.
      { name: 'dc:creator', objects: { _text: plain(article.authors.map((a) => a.name).join(', ')) } },
    ];
    if (article.originalUrl) {
      // RFC 4287 §4.2.7.2 "via": the source the entry's information came from.
      extensions.push({ name: 'atom:link', objects: { _attributes: { rel: 'via', href: plain(article.originalUrl) } } });
    }
    return {
      title: cdata(article.title),
      link: article.permalink,
      // A tag: URI is no URL to open, so isPermaLink="false" (feed sets it for `guid`).
      guid: plain(article.id),
      date: new Date(lastChangeOf(article)),
      // pubDate is the publication date (feed prefers `published` over `date`).
      published: new Date(article.publishedAt),
      description: cdata(escapeHtml(article.summary)),
      content: cdata(article.contentHtml),
      category: article.tags.map((tag) => ({ name: plain(tag) })),
      extensions,
    };
  });
  return renderSafely(
    {
      title: plain(config.title),
      description: plain(config.description || config.title),
      link: doc.urls.home,
      language: config.language,
      updated: new Date(doc.updatedAt),
      generator: false,
      feedLinks: { rss: doc.urls.rss },
    },
    items,
    'rss2',
  );
}

import type { Item } from 'feed';
import type { Article, Author, SiteConfig } from '../site/types.ts';
import {
  authorLinkOf,
  FEED_FILES,
  type FeedFrame,
  type FeedInfo,
  imageTypeOf,
  lastChangeOf,
} from './feed-document.ts';
import { pagingLinks } from './rss.ts';
import { cdata, type FeedEntry, plain, renderFrame, renderItems, text } from './safe-feed.ts';
import { escapeHtml } from './text.ts';

/** Renders one article as an Atom 1.0 `<entry>` (RFC 4287). */
export function renderAtomEntry(article: Article, config: SiteConfig): string {
  return renderAtomEntries([article], config)[0] as string;
}

/**
 * Renders articles as Atom 1.0 `<entry>`s, the same text as renderAtomEntry gives each, in one
 * feed document (the build's way: feed renders its head once for all of them).
 */
export function renderAtomEntries(
  articles: readonly Article[],
  config: SiteConfig,
  check?: (entry: string) => void,
): string[] {
  return renderItems(
    'atom1',
    articles.map((article) => atomEntryOf(article, config)),
    check,
  );
}

/** An article as feed's fields for an Atom entry, and the links and xml:lang feed has no field for. */
function atomEntryOf(article: Article, config: SiteConfig): FeedEntry {
  const links: string[] = [];
  if (article.originalUrl)
    links.push(`<link rel="via" href="${escapeHtml(article.originalUrl)}"/>`);
  if (article.image) {
    const type = imageTypeOf(article.image);
    links.push(
      `<link rel="enclosure" href="${escapeHtml(article.image)}"${type ? ` type="${type}"` : ''}/>`,
    );
  }
  const item: Item = {
    // §3.1.1.1: the title is plain text, a text construct of type "text". The summary stays
    // type="html" (§3.1.1.2), HTML-escaped like RSS's description, so a `<` in it shows as typed.
    title: text(article.title),
    // §4.2.6: the id is a permanent IRI; a tag: URI survives changes of host and scheme.
    id: article.id,
    link: article.permalink,
    date: new Date(lastChangeOf(article)),
    published: new Date(article.publishedAt),
    description: cdata(escapeHtml(article.summary)),
    author: article.authors.map((a) => {
      const link = authorLinkOf(a);
      return {
        name: text(a.name),
        ...(a.email ? { email: plain(a.email) } : {}),
        ...(link ? { link } : {}),
      };
    }),
    category: article.tags.map((tag) => ({ term: plain(tag) })),
  };
  // feed has no field for extra entry links. §2: xml:lang where the article's language differs from the feed's.
  const attributes = article.language === config.language ? {} : { 'xml:lang': article.language };
  return { item, additions: { elements: links, attributes, content: article.contentHtml } };
}

/** An author's feed names them as its author (RFC 4287 §4.2.1), with their link as `uri`. */
function feedAuthorOf(author: Author): { name: string; link?: string } {
  const link = authorLinkOf(author);
  return { name: text(author.name), ...(link ? { link } : {}) };
}

/** Renders an Atom 1.0 feed element around its entries, with RFC 5005 paging links. */
export function renderAtomFrame(info: FeedInfo): FeedFrame {
  const { config } = info;
  const links = [
    ...(info.subscribable && config.websubHub
      ? [`<link rel="hub" href="${escapeHtml(config.websubHub)}"/>`]
      : []),
    ...pagingLinks(info, FEED_FILES.atom, 'application/atom+xml', 'link'),
  ];
  const { head, tail } = renderFrame(
    'atom1',
    {
      // §4.2.6: one permanent id per feed; archive pages share it (RFC 5005 §3).
      id: plain(
        info.subscription === `${config.siteUrl}/`
          ? config.siteId
          : `${config.siteId}${info.subscription.slice(config.siteUrl.length + 1)}`,
      ),
      title: text(info.title),
      ...(info.description ? { description: text(info.description) } : {}),
      link: info.homeUrl,
      feed: info.self + FEED_FILES.atom,
      updated: new Date(info.updatedAt),
      generator: false,
      author: info.author ? feedAuthorOf(info.author) : { name: text(config.defaultAuthor) },
      ...(config.icon ? { favicon: config.icon } : {}),
      ...(config.logo ? { image: config.logo } : {}),
    },
    // feed's `hub` link would come before the logo; paging links have no field. xml:lang on the root (RFC 4287 §2).
    { elements: links, attributes: { 'xml:lang': config.language } },
  );
  return { head, separator: '', tail };
}

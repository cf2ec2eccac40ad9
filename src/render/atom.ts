import type { Item } from 'feed';
import { type FeedDocument, lastChangeOf } from './feed-document.ts';
import { cdata, plain, renderSafely, slot } from './safe-feed.ts';
import { escapeHtml } from './text.ts';

/** Renders an Atom 1.0 document (RFC 4287). */
export function renderAtom(doc: FeedDocument): string {
  const { config } = doc;
  const slots: string[] = [];
  const items: Item[] = doc.articles.map((article) => {
    const item: Item = {
      // Atom text constructs of type="html" (§3.1.1.2) carry escaped markup, so the plain
      // title and summary are HTML-escaped before they go into CDATA.
      title: cdata(escapeHtml(article.title)),
      // §4.2.6: the id is a permanent IRI; a tag: URI survives changes of host and scheme.
      id: article.id,
      link: article.permalink,
      date: new Date(lastChangeOf(article)),
      published: new Date(article.publishedAt),
      description: cdata(escapeHtml(article.summary)),
      content: cdata(article.contentHtml),
      author: article.authors.map((a) => ({
        name: plain(a.name),
        ...(a.email ? { email: plain(a.email) } : {}),
        ...(a.url ? { link: a.url } : {}),
      })),
      category: article.tags.map((tag) => ({ term: plain(tag) })),
    };
    if (article.originalUrl) {
      // feed has no field for extra entry links: a slot (written as <rights>) takes its place.
      slots.push(`<link rel="via" href="${escapeHtml(article.originalUrl)}"/>`);
      item.copyright = slot(slots.length - 1);
    }
    return item;
  });
  const xml = renderSafely(
    {
      id: plain(config.siteId),
      title: plain(config.title),
      ...(config.description ? { description: plain(config.description) } : {}),
      link: doc.urls.home,
      feed: doc.urls.atom,
      updated: new Date(doc.updatedAt),
      generator: false,
      author: { name: plain(config.defaultAuthor) },
    },
    items,
    'atom1',
    slots,
  );
  // xml:lang on the root (RFC 4287 §2); the root start tag comes before any content.
  return xml.replace('<feed xmlns="http://www.w3.org/2005/Atom">', `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeHtml(config.language)}">`);
}

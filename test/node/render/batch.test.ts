// The build renders feed items a batch to a feed document (renderRssItems, renderAtomEntries),
// and each must be exactly the text that rendering it in a document of its own gives.
import { describe, expect, it } from 'vitest';
import { renderAtomEntries, renderAtomEntry } from '../../../src/render/atom.ts';
import { renderRssItem, renderRssItems } from '../../../src/render/rss.ts';
import { FEED_SHAPES } from '../../../src/render/safe-feed.ts';
import type { Article } from '../../../src/site/types.ts';
import { createConfig, createRenderArticle } from './factories.ts';

const SITE = createConfig({ language: 'en' });

/**
 * Articles with every field that reaches an item, mixed so that neighbours differ: languages
 * other than the site's (an Atom entry's xml:lang), original URLs and images (its own extra
 * links, or none), authors with e-mail addresses and links, tags, and text to escape.
 */
const VARIED: Article[] = [
  createRenderArticle({ slug: 'plain' }),
  createRenderArticle({
    slug: 'zinsen',
    language: 'de',
    title: 'Zinsen & „Anleihen“ <sinken>',
    summary: 'Die Bank senkt: 3 < 4 & ]]> bleibt.',
    contentHtml: '<p>Grüße ]]> und ]]]]> &amp; &lt;b&gt; 中文 😀 é</p>',
    originalUrl: 'https://wire.example/zins?a=1&b=2',
    tags: ['Wirtschaft', 'A&B <c>'],
    updatedAt: Date.parse('2024-03-02T09:30:00Z'),
  }),
  createRenderArticle({
    slug: 'two-authors',
    image: 'https://cdn.example/rate-cut.jpg',
    authors: [
      { name: 'Zoë Adams', email: 'zoe@news.example', url: 'https://zoe.example/' },
      { name: 'Bo & <Chen>', page: 'https://news.example/authors/bo-chen/' },
      { name: 'Desk', email: 'desk+a&b@news.example' },
    ],
    tags: ['Economy', 'Banks', 'Ünïcode'],
    contentHtml: '<p>An end tag in the body: </item></entry> and ]]></p>',
  }),
  createRenderArticle({
    slug: 'le-port',
    language: 'fr',
    title: 'Le port rouvre',
    originalUrl: 'https://wire.example/port',
    image: 'https://cdn.example/port.webp',
  }),
  createRenderArticle({ slug: 'en-gb', language: 'en-GB', image: 'https://cdn.example/map' }),
  createRenderArticle({ slug: 'last', tags: ['Economy'] }),
];

describe('rendering a batch of items in one feed document', () => {
  it('gives each article the item and entry it gets alone, in order', () => {
    const rss = renderRssItems(VARIED, SITE);
    const atom = renderAtomEntries(VARIED, SITE);
    expect(rss).toEqual(VARIED.map((article) => renderRssItem(article, SITE)));
    expect(atom).toEqual(VARIED.map((article) => renderAtomEntry(article, SITE)));
    // Each entry kept its own links and xml:lang, and nothing of its neighbours'.
    expect(atom[1]).toMatch(/^\n {4}<entry xml:lang="de">/);
    expect(atom[1]).toContain('<link rel="via" href="https://wire.example/zins?a=1&amp;b=2"/>');
    expect(atom[2]).toMatch(/^\n {4}<entry>/);
    expect(atom[2]).toContain('href="https://cdn.example/rate-cut.jpg" type="image/jpeg"/>');
    expect(atom[2]).not.toContain('rel="via"');
    expect(atom[5]).not.toContain('<link rel=');
  });

  it('gives the same text when a body holds the exact start tag of an item or entry', () => {
    const forged = createRenderArticle({
      slug: 'forged',
      contentHtml: `<p>A feed in a feed:${FEED_SHAPES.rss2.open}${FEED_SHAPES.atom1.open}</p>`,
    });
    const articles = [...VARIED.slice(0, 3), forged, ...VARIED.slice(3)];
    const rss = renderRssItems(articles, SITE);
    const atom = renderAtomEntries(articles, SITE);
    expect(rss).toEqual(articles.map((article) => renderRssItem(article, SITE)));
    expect(atom).toEqual(articles.map((article) => renderAtomEntry(article, SITE)));
    expect([rss.length, atom.length]).toEqual([articles.length, articles.length]);
    expect(rss[3]).toContain(`A feed in a feed:${FEED_SHAPES.rss2.open}`);
    expect(atom[3]).toContain(`${FEED_SHAPES.atom1.open}</p>]]></content>`);
  });

  it('renders a batch of one as the article alone, and none for no articles', () => {
    const [article] = VARIED.slice(1);
    if (!article) throw new Error('no article');
    const forged = { ...article, contentHtml: `${FEED_SHAPES.rss2.open}${FEED_SHAPES.atom1.open}` };
    for (const one of [article, forged]) {
      expect(renderRssItems([one], SITE)).toEqual([renderRssItem(one, SITE)]);
      expect(renderAtomEntries([one], SITE)).toEqual([renderAtomEntry(one, SITE)]);
    }
    expect(renderRssItems([], SITE)).toEqual([]);
    expect(renderAtomEntries([], SITE)).toEqual([]);
  });
});

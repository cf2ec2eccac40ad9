import type { Element } from '@xmldom/xmldom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { assembleFeed, type FeedInfo } from '../../../src/render/feed-document.ts';
import { pagingLinks, renderRssFrame, renderRssItem } from '../../../src/render/rss.ts';
import type { Article, SiteConfig } from '../../../src/site/types.ts';
import { ATOM_NS, childElements, childText, parseXmlStrict } from '../support.ts';
import { createConfig, createInfo, createRenderArticle } from './factories.ts';

const CONTENT_NS = 'http://purl.org/rss/1.0/modules/content/';
const DC_NS = 'http://purl.org/dc/elements/1.1/';

/** The channel of the document a frame and items make, parsed strictly (namespaces included). */
function channelOf(info: FeedInfo, articles: readonly Article[] = []): Element {
  const xml = assembleFeed(
    renderRssFrame(info),
    articles.map((a) => renderRssItem(a, info.config)),
  );
  const rss = parseXmlStrict(xml).documentElement;
  const channel = rss && childElements(rss, 'channel')[0];
  if (!channel) throw new Error('no channel');
  return channel;
}

function itemOf(article: Article, config: SiteConfig = createConfig()): Element {
  const item = childElements(channelOf(createInfo(config), [article]), 'item')[0];
  if (!item) throw new Error('no item');
  return item;
}

describe('renderRssItem', () => {
  it('writes the title, link, guid, dates, summary and body of an article', () => {
    const article = createRenderArticle({
      title: 'Rates & <bonds>',
      updatedAt: Date.parse('2024-03-05T10:00:00Z'),
      summary: 'A < B & C',
      contentHtml: '<p>Body ]]> with ]]> twice</p>',
    });
    const item = itemOf(article);
    expect(childText(item, 'title')).toBe('Rates & <bonds>');
    expect(childText(item, 'link')).toBe('https://news.example/articles/rate-cut');
    // A tag: URI is no URL to open (RSS 2.0 guid).
    expect(childText(item, 'guid')).toBe('tag:news.example,2026:rate-cut');
    expect(childElements(item, 'guid')[0]?.getAttribute('isPermaLink')).toBe('false');
    // pubDate is the publication, not the update.
    expect(childText(item, 'pubDate')).toBe('Fri, 01 Mar 2024 08:00:00 GMT');
    // The description is HTML, so the plain summary is escaped in it once.
    expect(childText(item, 'description')).toBe('A &lt; B &amp; C');
    expect(childText(item, 'encoded', CONTENT_NS)).toBe('<p>Body ]]> with ]]> twice</p>');
  });

  it('names every author in dc:creator and writes the tags as categories', () => {
    const item = itemOf(
      createRenderArticle({
        authors: [{ name: 'Zoë Adams', email: 'zoe@news.example' }, { name: 'Bo <Chen>' }],
        tags: ['R&D', 'Café'],
      }),
    );
    // RSS <author> must be an e-mail address; the names go to dc:creator.
    expect(childElements(item, 'author')).toEqual([]);
    expect(childText(item, 'creator', DC_NS)).toBe('Zoë Adams, Bo <Chen>');
    expect(childElements(item, 'category').map((c) => c.textContent)).toEqual(['R&D', 'Café']);
  });

  it('links the original as atom:link rel="via" and the image as an enclosure of length 0', () => {
    const item = itemOf(
      createRenderArticle({
        originalUrl: 'https://origin.example/story?a=1&b=2',
        image: 'https://cdn.example/photo.JPG',
      }),
    );
    const via = childElements(item, 'link', ATOM_NS);
    expect(via.map((l) => [l.getAttribute('rel'), l.getAttribute('href')])).toEqual([
      ['via', 'https://origin.example/story?a=1&b=2'],
    ]);
    const enclosure = childElements(item, 'enclosure')[0];
    expect(
      enclosure && [
        enclosure.getAttribute('url'),
        enclosure.getAttribute('length'),
        enclosure.getAttribute('type'),
      ],
    ).toEqual(['https://cdn.example/photo.JPG', '0', 'image/jpeg']);
    const unknown = childElements(
      itemOf(createRenderArticle({ image: 'https://cdn.example/photo' })),
      'enclosure',
    )[0];
    expect(unknown?.getAttribute('type')).toBe('application/octet-stream');
  });

  it('writes no via link and no enclosure when the article has neither', () => {
    const item = itemOf(createRenderArticle());
    expect(childElements(item, 'link', ATOM_NS)).toEqual([]);
    expect(childElements(item, 'enclosure')).toEqual([]);
    expect(childElements(item, 'category')).toEqual([]);
  });

  it('renders an item that does not depend on the site', () => {
    const article = createRenderArticle();
    expect(renderRssItem(article, createConfig({ title: 'Other & site', language: 'de' }))).toBe(
      renderRssItem(article, createConfig()),
    );
  });
});

describe('renderRssFrame', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('declares the namespaces of the items and writes the channel fields', () => {
    const config = createConfig({ logo: 'https://news.example/logo.png' });
    const xml = assembleFeed(
      renderRssFrame(createInfo(config, { updatedAt: Date.parse('2024-03-05T10:00:00Z') })),
      [],
    );
    const rss = parseXmlStrict(xml).documentElement;
    expect([
      rss?.getAttribute('version'),
      rss?.getAttribute('xmlns:atom'),
      rss?.getAttribute('xmlns:content'),
      rss?.getAttribute('xmlns:dc'),
    ]).toEqual(['2.0', ATOM_NS, CONTENT_NS, DC_NS]);
    const channel = channelOf(
      createInfo(config, { updatedAt: Date.parse('2024-03-05T10:00:00Z') }),
    );
    expect(childText(channel, 'title')).toBe('Fixture News');
    expect(childText(channel, 'link')).toBe('https://news.example/');
    expect(childText(channel, 'description')).toBe('Articles the tests build.');
    expect(childText(channel, 'language')).toBe('en');
    expect(childText(channel, 'lastBuildDate')).toBe('Tue, 05 Mar 2024 10:00:00 GMT');
    const image = childElements(channel, 'image')[0];
    expect(
      image && [childText(image, 'url'), childText(image, 'title'), childText(image, 'link')],
    ).toEqual(['https://news.example/logo.png', 'Fixture News', 'https://news.example/']);
    expect(childElements(channel, 'generator')).toEqual([]);
    expect(childElements(channel, 'copyright')).toEqual([]);
  });

  it('falls back to the title when there is no description', () => {
    expect(
      childText(
        channelOf(createInfo(createConfig(), { title: 'Tag & co', description: '' })),
        'description',
      ),
    ).toBe('Tag & co');
  });

  it('links itself, the hub and the RFC 5005 pages, the hub only from a subscribable feed', () => {
    const config = createConfig({ websubHub: 'https://hub.example/?a=1&b=2' });
    const archive = createInfo(config, {
      self: 'https://news.example/archive/2/',
      homeUrl: 'https://news.example/archive/2/',
      paging: {
        first: 'https://news.example/',
        next: 'https://news.example/archive/1/',
        previous: 'https://news.example/archive/3/',
        last: 'https://news.example/archive/1/',
      },
    });
    const links = (info: FeedInfo) =>
      childElements(channelOf(info), 'link', ATOM_NS).map((l) => [
        l.getAttribute('rel'),
        l.getAttribute('href'),
      ]);
    expect(links(archive)).toEqual([
      ['self', 'https://news.example/archive/2/rss.xml'],
      ['hub', 'https://hub.example/?a=1&b=2'],
      ['first', 'https://news.example/rss.xml'],
      ['next', 'https://news.example/archive/1/rss.xml'],
      ['previous', 'https://news.example/archive/3/rss.xml'],
      ['last', 'https://news.example/archive/1/rss.xml'],
    ]);
    expect(links({ ...archive, subscribable: false }).map(([rel]) => rel)).toEqual([
      'self',
      'first',
      'next',
      'previous',
      'last',
    ]);
  });

  it('does not read the clock', () => {
    const info = createInfo(createConfig());
    const before = renderRssFrame(info);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2040-01-01T00:00:00Z'));
    expect(renderRssFrame(info)).toEqual(before);
    expect(renderRssItem(createRenderArticle(), info.config)).not.toContain('2040');
  });

  it('leaves a frame that a separator-free join completes', () => {
    const frame = renderRssFrame(createInfo(createConfig()));
    expect(frame.separator).toBe('');
    expect(frame.tail).toBe('\n    </channel>\n</rss>');
  });
});

describe('pagingLinks', () => {
  it('writes the present relations in RFC 5005 order, escaped', () => {
    const info = createInfo(createConfig(), {
      paging: { last: 'https://news.example/a&b/', first: 'https://news.example/' },
    });
    expect(pagingLinks(info, 'atom.xml', 'application/atom+xml', 'link')).toEqual([
      '<link href="https://news.example/atom.xml" rel="first" type="application/atom+xml"/>',
      '<link href="https://news.example/a&amp;b/atom.xml" rel="last" type="application/atom+xml"/>',
    ]);
  });
});

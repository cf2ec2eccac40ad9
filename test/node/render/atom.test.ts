import type { Element } from '@xmldom/xmldom';
import { decodeHTML } from 'entities';
import { describe, expect, it } from 'vitest';
import { renderAtomEntry, renderAtomFrame } from '../../../src/render/atom.ts';
import { assembleFeed, type FeedInfo } from '../../../src/render/feed-document.ts';
import type { Article, SiteConfig } from '../../../src/site/types.ts';
import { ATOM_NS, childElements, childText, parseXmlStrict } from '../support.ts';
import { createConfig, createInfo, createRenderArticle } from './factories.ts';

/** The feed element of the document a frame and entries make, parsed strictly. */
function feedOf(info: FeedInfo, articles: readonly Article[] = []): Element {
  const feed = parseXmlStrict(
    assembleFeed(
      renderAtomFrame(info),
      articles.map((a) => renderAtomEntry(a, info.config)),
    ),
  ).documentElement;
  if (!feed) throw new Error('no feed');
  return feed;
}

function entryOf(article: Article, config: SiteConfig = createConfig()): Element {
  const entry = childElements(feedOf(createInfo(config), [article]), 'entry', ATOM_NS)[0];
  if (!entry) throw new Error('no entry');
  return entry;
}

const linksOf = (parent: Element) =>
  childElements(parent, 'link', ATOM_NS).map((l) => [
    l.getAttribute('rel'),
    l.getAttribute('href'),
    l.getAttribute('type'),
  ]);

describe('renderAtomEntry', () => {
  it('writes the title as text, the id, the dates, the summary and the content (RFC 4287 §4.1.2)', () => {
    const entry = entryOf(
      createRenderArticle({
        title: 'Rates & <bonds>',
        updatedAt: Date.parse('2024-03-05T10:00:00Z'),
        summary: 'A < B & C',
        contentHtml: '<p>Body ]]> twice ]]></p>',
      }),
    );
    const title = childElements(entry, 'title', ATOM_NS)[0];
    // §3.1.1: no type attribute means text.
    expect(title?.hasAttribute('type')).toBe(false);
    expect(title?.textContent).toBe('Rates & <bonds>');
    expect(childText(entry, 'id', ATOM_NS)).toBe('tag:news.example,2026:rate-cut');
    expect(childText(entry, 'updated', ATOM_NS)).toBe('2024-03-05T10:00:00.000Z');
    expect(childText(entry, 'published', ATOM_NS)).toBe('2024-03-01T08:00:00.000Z');
    const summary = childElements(entry, 'summary', ATOM_NS)[0];
    expect(summary?.getAttribute('type')).toBe('html');
    // HTML that shows the plain summary as typed.
    expect(decodeHTML(summary?.textContent ?? '')).toBe('A < B & C');
    const content = childElements(entry, 'content', ATOM_NS)[0];
    expect([content?.getAttribute('type'), content?.textContent]).toEqual([
      'html',
      '<p>Body ]]> twice ]]></p>',
    ]);
    expect(childElements(entry, 'rights', ATOM_NS)).toEqual([]);
  });

  it('dates an entry that was never updated by its publication', () => {
    expect(childText(entryOf(createRenderArticle()), 'updated', ATOM_NS)).toBe(
      '2024-03-01T08:00:00.000Z',
    );
  });

  it('writes each author with e-mail and link (their url, else their page) and the tags as terms', () => {
    const entry = entryOf(
      createRenderArticle({
        authors: [
          {
            name: 'Zoë <Adams>',
            email: 'zoe@news.example',
            url: 'https://zoe.example/',
            page: 'https://news.example/authors/zoe-adams/',
          },
          { name: 'Bo Chen', page: 'https://news.example/authors/bo-chen/' },
        ],
        tags: ['R&D', 'a<b'],
      }),
    );
    const authors = childElements(entry, 'author', ATOM_NS).map((a) => [
      childText(a, 'name', ATOM_NS),
      childText(a, 'email', ATOM_NS),
      childText(a, 'uri', ATOM_NS),
    ]);
    expect(authors).toEqual([
      ['Zoë <Adams>', 'zoe@news.example', 'https://zoe.example/'],
      ['Bo Chen', undefined, 'https://news.example/authors/bo-chen/'],
    ]);
    expect(childElements(entry, 'category', ATOM_NS).map((c) => c.getAttribute('term'))).toEqual([
      'R&D',
      'a<b',
    ]);
  });

  it('links the permalink, the original (rel="via") and the image (rel="enclosure")', () => {
    const entry = entryOf(
      createRenderArticle({
        originalUrl: 'https://origin.example/story?a=1&b=2',
        image: 'https://cdn.example/photo.png',
      }),
    );
    expect(linksOf(entry)).toEqual([
      [null, 'https://news.example/articles/rate-cut', null],
      ['via', 'https://origin.example/story?a=1&b=2', null],
      ['enclosure', 'https://cdn.example/photo.png', 'image/png'],
    ]);
    const unknown = entryOf(createRenderArticle({ image: 'https://cdn.example/photo' }));
    expect(linksOf(unknown)).toEqual([
      [null, 'https://news.example/articles/rate-cut', null],
      ['enclosure', 'https://cdn.example/photo', null],
    ]);
  });

  it("marks the entry's language only where it differs from the feed's (§2)", () => {
    expect(entryOf(createRenderArticle({ language: 'de' })).getAttribute('xml:lang')).toBe('de');
    expect(entryOf(createRenderArticle()).hasAttribute('xml:lang')).toBe(false);
    expect(renderAtomEntry(createRenderArticle(), createConfig())).toMatch(/^\n {4}<entry>\n/);
  });
});

describe('renderAtomFrame', () => {
  it('writes the id, the language, the title, the links and the author of the site feed', () => {
    const config = createConfig({
      icon: 'https://news.example/icon.png',
      logo: 'https://news.example/logo.png',
      websubHub: 'https://hub.example/',
    });
    const feed = feedOf(createInfo(config, { updatedAt: Date.parse('2024-03-05T10:00:00Z') }));
    expect(feed.getAttribute('xml:lang')).toBe('en');
    expect(childText(feed, 'id', ATOM_NS)).toBe('tag:news.example,2026:');
    expect(childText(feed, 'title', ATOM_NS)).toBe('Fixture News');
    expect(childElements(feed, 'title', ATOM_NS)[0]?.hasAttribute('type')).toBe(false);
    expect(childText(feed, 'subtitle', ATOM_NS)).toBe('Articles the tests build.');
    expect(childText(feed, 'updated', ATOM_NS)).toBe('2024-03-05T10:00:00.000Z');
    expect([childText(feed, 'icon', ATOM_NS), childText(feed, 'logo', ATOM_NS)]).toEqual([
      'https://news.example/icon.png',
      'https://news.example/logo.png',
    ]);
    const author = childElements(feed, 'author', ATOM_NS)[0];
    expect(
      author && [childText(author, 'name', ATOM_NS), childText(author, 'uri', ATOM_NS)],
    ).toEqual(['Fixture Desk', undefined]);
    expect(linksOf(feed)).toEqual([
      ['alternate', 'https://news.example/', null],
      ['self', 'https://news.example/atom.xml', null],
      ['hub', 'https://hub.example/', null],
      ['first', 'https://news.example/atom.xml', 'application/atom+xml'],
      ['last', 'https://news.example/atom.xml', 'application/atom+xml'],
    ]);
    expect(childElements(feed, 'generator', ATOM_NS)).toEqual([]);
    expect(childElements(feed, 'rights', ATOM_NS)).toEqual([]);
  });

  it("gives a tag's feed and its archive pages one id of their own (RFC 5005 §3), without a hub on the pages", () => {
    const config = createConfig({ websubHub: 'https://hub.example/' });
    const subscription = 'https://news.example/tags/cafe/';
    const page = feedOf(
      createInfo(config, {
        subscription,
        self: `${subscription}archive/1/`,
        homeUrl: `${subscription}archive/1/`,
        description: '',
        subscribable: false,
        paging: { first: subscription, previous: subscription, last: `${subscription}archive/1/` },
      }),
    );
    expect(childText(page, 'id', ATOM_NS)).toBe('tag:news.example,2026:tags/cafe/');
    expect(childElements(page, 'subtitle', ATOM_NS)).toEqual([]);
    expect(linksOf(page).map(([rel, href]) => [rel, href])).toEqual([
      ['alternate', 'https://news.example/tags/cafe/archive/1/'],
      ['self', 'https://news.example/tags/cafe/archive/1/atom.xml'],
      ['first', 'https://news.example/tags/cafe/atom.xml'],
      ['previous', 'https://news.example/tags/cafe/atom.xml'],
      ['last', 'https://news.example/tags/cafe/archive/1/atom.xml'],
    ]);
  });

  it("names an author's feed after its author, with their link", () => {
    const feed = feedOf(
      createInfo(createConfig(), {
        author: { name: 'Ann <&> O’Neil', page: 'https://news.example/authors/ann-o-neil/' },
      }),
    );
    const author = childElements(feed, 'author', ATOM_NS)[0];
    expect(
      author && [childText(author, 'name', ATOM_NS), childText(author, 'uri', ATOM_NS)],
    ).toEqual(['Ann <&> O’Neil', 'https://news.example/authors/ann-o-neil/']);
  });

  it('writes no extra link element where there is no link to add', () => {
    const frame = renderAtomFrame(createInfo(createConfig(), { paging: {}, subscribable: false }));
    expect(frame.head).not.toContain('<rights');
    expect(frame.tail).toBe('\n</feed>');
  });
});

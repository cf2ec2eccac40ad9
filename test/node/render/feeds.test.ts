import type { Document, Element } from '@xmldom/xmldom';
import { decodeHTML } from 'entities';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JsonFeed } from '../../../src/render/json-feed.ts';
import type { BuiltSite } from '../../../src/site/types.ts';
import {
  type ArticleFixture,
  createArticle,
  HOSTILE_ARTICLES,
  HOSTILE_TAGS,
  HOSTILE_TITLE_CLEAN,
} from '../../support/fixtures.ts';
import {
  ATOM_NS,
  allServed,
  articleSlugs,
  buildFixtureSite,
  childElements,
  childText,
  parseXmlLoose,
  parseXmlStrict,
  requireChild,
  servedFeeds,
  XML_INVALID,
} from '../support.ts';

const CONTENT_NS = 'http://purl.org/rss/1.0/modules/content/';
/** RFC 822 as the RSS Advisory Board profiles it: four-digit year, GMT. */
const RSS_DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
/** RFC 3339 date-time with a zone. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The three documents of a site's current edition, parsed. */
interface ParsedFeeds {
  rss: Document;
  atom: Document;
  json: JsonFeed;
}

function parseFeeds(site: BuiltSite): ParsedFeeds {
  const edition = servedFeeds(site);
  return {
    rss: parseXmlStrict(edition.rss.body),
    atom: parseXmlStrict(edition.atom.body),
    json: JSON.parse(edition.json.body) as JsonFeed,
  };
}

function rssItems(rss: Document): Element[] {
  const channel = rss.documentElement
    ? childElements(rss.documentElement, 'channel')[0]
    : undefined;
  if (!channel) throw new Error('RSS has no channel');
  return childElements(channel, 'item');
}

function rssChannel(rss: Document): Element {
  const channel = rss.documentElement
    ? childElements(rss.documentElement, 'channel')[0]
    : undefined;
  if (!channel) throw new Error('RSS has no channel');
  return channel;
}

function atomEntries(atom: Document): Element[] {
  if (!atom.documentElement) throw new Error('Atom has no root');
  return childElements(atom.documentElement, 'entry', ATOM_NS);
}

function atomFeed(atom: Document): Element {
  if (!atom.documentElement) throw new Error('Atom has no root');
  return atom.documentElement;
}

/** Article fixtures with distinct, fixed dates, oldest first. */
function createDatedArticles(count: number): ArticleFixture[] {
  return Array.from({ length: count }, (_, i) =>
    createArticle({
      name: `story-${i + 1}.md`,
      frontMatter: {
        title: `Story ${i + 1}`,
        date: `2024-03-${String(i + 1).padStart(2, '0')}T08:00:00Z`,
      },
    }),
  );
}

describe('feeds of the hostile fixture', () => {
  let site: BuiltSite;
  let feeds: ParsedFeeds;
  beforeAll(async () => {
    site = await buildFixtureSite(HOSTILE_ARTICLES);
    feeds = parseFeeds(site);
  });

  it('writes RSS and Atom that a strict DOM parser and fast-xml-parser both accept', () => {
    const edition = servedFeeds(site);
    for (const xml of [edition.rss.body, edition.atom.body]) {
      expect(() => parseXmlStrict(xml)).not.toThrow();
      expect(() => parseXmlLoose(xml)).not.toThrow();
    }
    expect(feeds.rss.documentElement?.nodeName).toBe('rss');
    expect(feeds.atom.documentElement?.namespaceURI).toBe(ATOM_NS);
  });

  it('writes every RSS and Atom document it serves, tag feeds included, as well-formed XML', () => {
    const documents = allServed(site).filter((d) => d.type === 'rss' || d.type === 'atom');
    expect(documents.map((d) => d.path)).toEqual(expect.arrayContaining(['/rss.xml', '/atom.xml']));
    for (const { path, body } of documents) {
      expect(() => parseXmlStrict(body), path).not.toThrow();
      expect(body, path).not.toMatch(XML_INVALID);
    }
  });

  it('writes exactly one item and one entry per article', () => {
    expect(rssItems(feeds.rss)).toHaveLength(2);
    expect(atomEntries(feeds.atom)).toHaveLength(2);
    expect(feeds.json.items).toHaveLength(2);
    const loose = parseXmlLoose(servedFeeds(site).rss.body);
    expect(loose.rss.channel.item).toHaveLength(2);
    expect(parseXmlLoose(servedFeeds(site).atom.body).feed.entry).toHaveLength(2);
  });

  it('round-trips the hostile title as RSS plain text', () => {
    const titles = rssItems(feeds.rss).map((item) => childText(item, 'title'));
    expect(titles).toEqual([HOSTILE_TITLE_CLEAN, 'Second']);
    expect(parseXmlLoose(servedFeeds(site).rss.body).rss.channel.item[0].title).toBe(
      HOSTILE_TITLE_CLEAN,
    );
  });

  it('round-trips the hostile title as an Atom text construct', () => {
    const [entry] = atomEntries(feeds.atom);
    if (!entry) throw new Error('no entry');
    const [title] = childElements(entry, 'title', ATOM_NS);
    // RFC 4287 §3.1.1: no type attribute means type="text", shown as it is.
    expect(title?.hasAttribute('type')).toBe(false);
    expect(title?.textContent).toBe(HOSTILE_TITLE_CLEAN);
  });

  it('round-trips the hostile title in JSON Feed', () => {
    expect(feeds.json.items.map((item) => item.title)).toEqual([HOSTILE_TITLE_CLEAN, 'Second']);
  });

  it('keeps both ]]> sequences of the body in every format', () => {
    const [item] = rssItems(feeds.rss);
    const [entry] = atomEntries(feeds.atom);
    if (!item || !entry) throw new Error('no item');
    const contents = [
      childText(item, 'encoded', CONTENT_NS),
      childText(entry, 'content', ATOM_NS),
      feeds.json.items[0]?.content_html,
    ];
    for (const html of contents)
      expect(decodeHTML(html ?? '')).toContain('Body with ]]> once and ]]> twice');
    expect(childElements(entry, 'content', ATOM_NS)[0]?.getAttribute('type')).toBe('html');
  });

  it('never writes <script> as a tag in content', () => {
    const [item] = rssItems(feeds.rss);
    const [entry] = atomEntries(feeds.atom);
    if (!item || !entry) throw new Error('no item');
    const contents = [
      childText(item, 'encoded', CONTENT_NS),
      childText(entry, 'content', ATOM_NS),
      feeds.json.items[0]?.content_html,
    ];
    for (const html of contents) {
      expect(html).toContain('Emoji');
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toContain('alert("x")');
    }
    expect(feeds.rss.getElementsByTagName('script')).toHaveLength(0);
    expect(feeds.atom.getElementsByTagName('script')).toHaveLength(0);
  });

  it('writes no character that XML 1.0 forbids, in any format', () => {
    const edition = servedFeeds(site);
    expect(edition.rss.body).not.toMatch(XML_INVALID);
    expect(edition.atom.body).not.toMatch(XML_INVALID);
    const strings: string[] = [];
    JSON.parse(edition.json.body, (_key, value: unknown) => {
      if (typeof value === 'string') strings.push(value);
      return value;
    });
    expect(strings.filter((s) => XML_INVALID.test(s))).toEqual([]);
  });

  it('round-trips category terms with < and &', () => {
    const [item] = rssItems(feeds.rss);
    const [entry] = atomEntries(feeds.atom);
    if (!item || !entry) throw new Error('no item');
    expect(childElements(item, 'category').map((c) => c.textContent)).toEqual(HOSTILE_TAGS);
    expect(childElements(entry, 'category', ATOM_NS).map((c) => c.getAttribute('term'))).toEqual(
      HOSTILE_TAGS,
    );
    expect(feeds.json.items[0]?.tags).toEqual(HOSTILE_TAGS);
  });

  it('round-trips author names with < and &', () => {
    const [item] = rssItems(feeds.rss);
    const [entry] = atomEntries(feeds.atom);
    if (!item || !entry) throw new Error('no item');
    expect(childText(item, 'creator', 'http://purl.org/dc/elements/1.1/')).toBe("Ann <&> O'Neil");
    const author = childElements(entry, 'author', ATOM_NS)[0];
    expect(author && childText(author, 'name', ATOM_NS)).toBe("Ann <&> O'Neil");
    expect(feeds.json.items[0]?.authors).toEqual([
      { name: "Ann <&> O'Neil", url: 'https://news.example/authors/ann-o-neil/' },
    ]);
  });

  it('drops javascript: links and resolves relative ones against the permalink', () => {
    const html = feeds.json.items[0]?.content_html ?? '';
    expect(html.toLowerCase()).not.toContain('javascript:');
    expect(html).toContain(
      'a javascript link and <a href="https://news.example/other">relative</a>',
    );
    expect(html).toContain('src="https://news.example/articles/pic.png"');
  });
});

describe('feed dates', () => {
  it('dates the feed by its newest item', async () => {
    const { rss, atom } = parseFeeds(await buildFixtureSite(HOSTILE_ARTICLES));
    const channel = rssChannel(rss);
    const pubDates = rssItems(rss).map((item) => childText(item, 'pubDate'));
    expect(pubDates).toEqual(['Wed, 01 May 2024 10:00:00 GMT', 'Mon, 01 Apr 2024 00:00:00 GMT']);
    expect(childText(channel, 'lastBuildDate')).toBe(pubDates[0]);
    const entryUpdates = atomEntries(atom).map((entry) => childText(entry, 'updated', ATOM_NS));
    expect(entryUpdates).toEqual(['2024-05-01T10:00:00.000Z', '2024-04-01T00:00:00.000Z']);
    expect(childText(atomFeed(atom), 'updated', ATOM_NS)).toBe(entryUpdates[0]);
  });

  it('dates the feed by an update newer than every publication', async () => {
    const site = await buildFixtureSite([
      createArticle({
        name: 'older.md',
        frontMatter: {
          title: 'Older',
          date: '2024-01-01T00:00:00Z',
          updated: '2024-06-15T12:00:00Z',
        },
      }),
      createArticle({
        name: 'newer.md',
        frontMatter: { title: 'Newer', date: '2024-03-01T00:00:00Z' },
      }),
    ]);
    const { rss, atom, json } = parseFeeds(site);
    expect(childText(rssChannel(rss), 'lastBuildDate')).toBe('Sat, 15 Jun 2024 12:00:00 GMT');
    expect(childText(atomFeed(atom), 'updated', ATOM_NS)).toBe('2024-06-15T12:00:00.000Z');
    // Items stay in publication order; the update shows in the item's own dates.
    expect(json.items.map((i) => [i.title, i.date_published, i.date_modified])).toEqual([
      ['Newer', '2024-03-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
      ['Older', '2024-01-01T00:00:00.000Z', '2024-06-15T12:00:00.000Z'],
    ]);
    const older = atomEntries(atom)[1];
    expect(older && childText(older, 'published', ATOM_NS)).toBe('2024-01-01T00:00:00.000Z');
    expect(older && childText(older, 'updated', ATOM_NS)).toBe('2024-06-15T12:00:00.000Z');
    expect(servedFeeds(site).rss.lastModified).toBe(Date.parse('2024-06-15T12:00:00Z'));
  });

  it('writes RSS dates with a four-digit year', async () => {
    const { rss } = parseFeeds(
      await buildFixtureSite([
        createArticle({ frontMatter: { date: '1970-01-02' } }),
        ...createDatedArticles(2),
      ]),
    );
    const dates = [
      childText(rssChannel(rss), 'lastBuildDate'),
      ...rssItems(rss).map((item) => childText(item, 'pubDate')),
    ];
    expect(dates).toHaveLength(4);
    for (const date of dates) expect(date).toMatch(RSS_DATE);
    expect(dates.at(-1)).toBe('Fri, 02 Jan 1970 00:00:00 GMT');
  });
});

describe('feed determinism', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('renders byte-identical bodies and ETags for the same content, whatever the clock says', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2030-01-01T00:00:00Z'));
    const first = await buildFixtureSite(HOSTILE_ARTICLES, {
      now: Date.parse('2026-01-01T00:00:00Z'),
    });
    vi.setSystemTime(Date.parse('2040-06-01T00:00:00Z'));
    const second = await buildFixtureSite(HOSTILE_ARTICLES, {
      now: Date.parse('2027-01-01T00:00:00Z'),
    });
    const [a, b] = [servedFeeds(first), servedFeeds(second)];
    for (const format of ['rss', 'atom', 'json', 'index'] as const) {
      expect(b[format].body).toBe(a[format].body);
      expect(b[format].etag).toBe(a[format].etag);
      expect(b[format].lastModified).toBe(a[format].lastModified);
    }
    expect(second.buildId).toBe(first.buildId);
    for (const body of [a.rss.body, a.atom.body, a.json.body]) {
      expect(body).not.toContain('2030');
      expect(body).not.toContain('2040');
    }
  });

  it('gives different content a different ETag', async () => {
    const a = servedFeeds(await buildFixtureSite(createDatedArticles(1)));
    const b = servedFeeds(
      await buildFixtureSite([
        createArticle({
          name: 'story-1.md',
          frontMatter: { title: 'Story 1, revised', date: '2024-03-01T08:00:00Z' },
        }),
      ]),
    );
    expect(b.rss.etag).not.toBe(a.rss.etag);
    expect(b.atom.etag).not.toBe(a.atom.etag);
    expect(b.json.etag).not.toBe(a.json.etag);
  });
});

describe('JSON Feed 1.1', () => {
  it('writes the 1.1 version, feed_url, language and an authors array', async () => {
    const { json } = parseFeeds(await buildFixtureSite(HOSTILE_ARTICLES));
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.title).toBe('Fixture News');
    expect(json.home_page_url).toBe('https://news.example/');
    expect(json.feed_url).toBe('https://news.example/feed.json');
    expect(json.language).toBe('en');
    expect(json.authors).toEqual([{ name: 'Fixture Desk' }]);
    expect(json).not.toHaveProperty('author');
  });

  it('writes items with ids, urls, RFC 3339 dates and authors arrays', async () => {
    const { json } = parseFeeds(await buildFixtureSite(HOSTILE_ARTICLES));
    expect(json.items.map((i) => [i.id, i.url])).toEqual([
      ['tag:news.example,2026:hostile', 'https://news.example/articles/hostile'],
      ['tag:news.example,2026:second', 'https://news.example/articles/second'],
    ]);
    for (const item of json.items) {
      expect(item.date_published).toMatch(RFC3339);
      expect(item.date_modified).toMatch(RFC3339);
      expect(Array.isArray(item.authors)).toBe(true);
      expect(item).not.toHaveProperty('author');
      expect(item.language).toBe('en');
    }
    expect(json.items[1]?.date_published).toBe('2024-04-01T00:00:00.000Z');
    expect(json.items[1]).not.toHaveProperty('tags');
  });

  it('writes external_url and image when the article has them', async () => {
    const { json } = parseFeeds(
      await buildFixtureSite([
        createArticle({
          frontMatter: {
            original_url: 'https://origin.example/story',
            image: 'https://img.example/a.jpg',
            lang: 'de',
          },
        }),
      ]),
    );
    expect(json.items[0]).toMatchObject({
      external_url: 'https://origin.example/story',
      image: 'https://img.example/a.jpg',
      language: 'de',
    });
  });
});

describe('item ids and permalinks', () => {
  it('keeps item ids when SITE_URL changes scheme and host, and moves permalinks', async () => {
    const first = parseFeeds(
      await buildFixtureSite(HOSTILE_ARTICLES, { vars: { SITE_URL: 'https://news.example' } }),
    );
    const moved = parseFeeds(
      await buildFixtureSite(HOSTILE_ARTICLES, {
        vars: { SITE_URL: 'http://mirror.example:8080/' },
      }),
    );
    const ids = (f: ParsedFeeds) => ({
      rss: rssItems(f.rss).map((item) => childText(item, 'guid')),
      atom: atomEntries(f.atom).map((entry) => childText(entry, 'id', ATOM_NS)),
      json: f.json.items.map((item) => item.id),
    });
    const links = (f: ParsedFeeds) => ({
      rss: rssItems(f.rss).map((item) => childText(item, 'link')),
      atom: atomEntries(f.atom).map((entry) =>
        childElements(entry, 'link', ATOM_NS)[0]?.getAttribute('href'),
      ),
      json: f.json.items.map((item) => item.url),
    });
    const expectedIds = ['tag:news.example,2026:hostile', 'tag:news.example,2026:second'];
    expect(ids(first)).toEqual({ rss: expectedIds, atom: expectedIds, json: expectedIds });
    expect(ids(moved)).toEqual(ids(first));
    const movedLinks = [
      'http://mirror.example:8080/articles/hostile',
      'http://mirror.example:8080/articles/second',
    ];
    expect(links(moved)).toEqual({ rss: movedLinks, atom: movedLinks, json: movedLinks });
    expect(links(first).json).toEqual([
      'https://news.example/articles/hostile',
      'https://news.example/articles/second',
    ]);
  });

  it('marks the RSS guid as not a permalink', async () => {
    const { rss } = parseFeeds(await buildFixtureSite(HOSTILE_ARTICLES));
    for (const item of rssItems(rss))
      expect(childElements(item, 'guid')[0]?.getAttribute('isPermaLink')).toBe('false');
  });

  it('points each self link at its own document', async () => {
    const { rss, atom } = parseFeeds(await buildFixtureSite(HOSTILE_ARTICLES));
    const rssSelf = childElements(rssChannel(rss), 'link', ATOM_NS).find(
      (l) => l.getAttribute('rel') === 'self',
    );
    expect(rssSelf?.getAttribute('href')).toBe('https://news.example/rss.xml');
    const atomSelf = childElements(atomFeed(atom), 'link', ATOM_NS).find(
      (l) => l.getAttribute('rel') === 'self',
    );
    expect(atomSelf?.getAttribute('href')).toBe('https://news.example/atom.xml');
    expect(childText(atomFeed(atom), 'id', ATOM_NS)).toBe('tag:news.example,2026:');
  });
});

describe('FEED_ITEM_LIMIT', () => {
  it('bounds the number of items to the newest ones in every format', async () => {
    // Seven items, three a page: page 1 takes the three oldest, the feed keeps the four others.
    const { rss, atom, json } = parseFeeds(
      await buildFixtureSite(createDatedArticles(7), { vars: { FEED_ITEM_LIMIT: '3' } }),
    );
    const newest = ['Story 7', 'Story 6', 'Story 5', 'Story 4'];
    expect(rssItems(rss).map((item) => childText(item, 'title'))).toEqual(newest);
    expect(atomEntries(atom).map((entry) => childText(entry, 'title', ATOM_NS))).toEqual(newest);
    expect(json.items.map((item) => item.title)).toEqual(newest);
  });

  it('keeps every article page even when the feeds are cut', async () => {
    const site = await buildFixtureSite(createDatedArticles(7), { vars: { FEED_ITEM_LIMIT: '3' } });
    expect(articleSlugs(site)).toEqual([
      'story-1',
      'story-2',
      'story-3',
      'story-4',
      'story-5',
      'story-6',
      'story-7',
    ]);
  });
});

describe('plain-text titles, names and tags', () => {
  const TITLE = 'AT&T <3 & a < b, 5 > 3 ]]> “x”';
  let site: BuiltSite;
  let feeds: ParsedFeeds;

  beforeAll(async () => {
    site = await buildFixtureSite([
      createArticle({ frontMatter: { title: TITLE, tags: ['R&D'], authors: ['Ann <&> O’Neil'] } }),
    ]);
    feeds = parseFeeds(site);
  });

  it('round-trips the text exactly through a strict XML parser, JSON and the pages', () => {
    const [item] = rssItems(feeds.rss);
    const [entry] = atomEntries(feeds.atom);
    if (!item || !entry) throw new Error('no item');
    expect(childText(item, 'title')).toBe(TITLE);
    expect(childElements(item, 'category').map((c) => c.textContent)).toEqual(['R&D']);
    expect(childText(item, 'creator', 'http://purl.org/dc/elements/1.1/')).toBe('Ann <&> O’Neil');
    const title = childElements(entry, 'title', ATOM_NS)[0];
    // RFC 4287 §3.1.1: without a type attribute, a text construct is plain text.
    expect(title?.hasAttribute('type')).toBe(false);
    expect(title?.textContent).toBe(TITLE);
    expect(childText(requireChild(entry, 'author', ATOM_NS), 'name', ATOM_NS)).toBe(
      'Ann <&> O’Neil',
    );
    expect(feeds.json.items[0]?.title).toBe(TITLE);
    const page = servedFeeds(site).index.body;
    expect(decodeHTML(/<h2><a href="[^"]+">([^<]*)<\/a><\/h2>/.exec(page)?.[1] ?? '')).toBe(TITLE);
    const tagFeed = parseXmlStrict(
      allServed(site).find((s) => s.path === '/tags/r-d/rss.xml')?.body ?? '',
    );
    expect(childText(rssChannel(tagFeed), 'title')).toBe('Fixture News · R&D');
  });

  it('writes plain text as character data with hexadecimal references, as the RSS Profile recommends', () => {
    const written = 'AT&#x26;T &#x3C;3 &#x26; a &#x3C; b, 5 &#x3E; 3 ]]&#x3E; “x”';
    const { rss, atom } = servedFeeds(site);
    expect(rss.body).toContain(`<title>${written}</title>`);
    expect(rss.body).toContain('<category>R&#x26;D</category>');
    expect(rss.body).toContain('<dc:creator>Ann &#x3C;&#x26;&#x3E; O’Neil</dc:creator>');
    expect(atom.body).toContain(`<title>${written}</title>`);
    expect(atom.body).toContain('<name>Ann &#x3C;&#x26;&#x3E; O’Neil</name>');
    // No title, channel text or name is CDATA, where the references would stay as typed.
    expect(
      [...rss.body.matchAll(/<(title|category|dc:creator|description)>(<!\[CDATA\[)?/g)].filter(
        (m) => m[2] && m[1] !== 'description',
      ),
    ).toEqual([]);
  });

  it("writes an author's own feeds with the name as text and the author's page as the link", () => {
    const at = (path: string): string => allServed(site).find((s) => s.path === path)?.body ?? '';
    const page = 'https://news.example/authors/ann-o-neil/';
    const atomBody = at('/authors/ann-o-neil/atom.xml');
    // RFC 4287 §4.2.1: the feed's author is the author, `uri` their link (their page, as no url is given).
    expect(atomBody).toContain(
      `<author>\n        <name>Ann &#x3C;&#x26;&#x3E; O’Neil</name>\n        <uri>${page}</uri>\n    </author>`,
    );
    const atom = parseXmlStrict(atomBody).documentElement;
    if (!atom) throw new Error('no feed element');
    const feedAuthor = childElements(atom, 'author', ATOM_NS)[0];
    expect(
      feedAuthor && [childText(feedAuthor, 'name', ATOM_NS), childText(feedAuthor, 'uri', ATOM_NS)],
    ).toEqual(['Ann <&> O’Neil', page]);
    expect(childText(atom, 'title', ATOM_NS)).toBe('Fixture News · Ann <&> O’Neil');
    const rssBody = at('/authors/ann-o-neil/rss.xml');
    expect(rssBody).toContain('<title>Fixture News · Ann &#x3C;&#x26;&#x3E; O’Neil</title>');
    expect(childText(rssChannel(parseXmlStrict(rssBody)), 'description')).toBe(
      'Articles by Ann <&> O’Neil.',
    );
    const json = JSON.parse(at('/authors/ann-o-neil/feed.json')) as {
      title: string;
      authors: unknown;
    };
    expect(json).toMatchObject({
      title: 'Fixture News · Ann <&> O’Neil',
      authors: [{ name: 'Ann <&> O’Neil', url: page }],
    });
  });
});

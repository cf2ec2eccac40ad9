import { describe, expect, it } from 'vitest';
import { site } from '../generated/paged.js';
import { serveFixture } from './fixture-app.ts';
import { parseXml, type XmlValue } from './support.ts';

const fetch = serveFixture(site, Date.parse('2026-01-01T00:00:00Z'));
const BASE = 'https://news.example';

type Format = 'rss' | 'atom' | 'json';
const FILES: Record<Format, string> = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' };

/** One feed document as a reader sees it: its items' titles and its paging links. */
interface FeedPage {
  url: string;
  titles: string[];
  /** RFC 5005 relations (RSS `atom:link`, Atom `link`); JSON Feed has only `next`. */
  links: Record<string, string | undefined>;
}

async function readFeed(format: Format, url: string): Promise<FeedPage> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  if (format === 'json') {
    const feed = (await res.json()) as { next_url?: string; items: { title: string }[] };
    return { url, titles: feed.items.map((i) => i.title), links: { next: feed.next_url } };
  }
  const xml = parseXml(await res.text());
  const [links, items]: [XmlValue[], XmlValue[]] =
    format === 'rss'
      ? [xml.rss.channel['atom:link'], xml.rss.channel.item ?? []]
      : [xml.feed.link, xml.feed.entry ?? []];
  return {
    url,
    titles: items.map((i) => i.title),
    links: Object.fromEntries(links.map((l) => [l['@rel'] ?? 'alternate', l['@href']])),
  };
}

async function rssOf(path: string): Promise<FeedPage> {
  return readFeed('rss', `${BASE}${path}`);
}

/** Follows `next` from a subscription document to the end, failing on a loop. */
async function followNext(format: Format, start: string): Promise<FeedPage[]> {
  const pages: FeedPage[] = [];
  for (let url: string | undefined = start; url !== undefined; ) {
    expect(
      pages.map((p) => p.url),
      `loop at ${url}`,
    ).not.toContain(url);
    const page = await readFeed(format, url);
    pages.push(page);
    url = page.links.next;
  }
  return pages;
}

const days = (...n: number[]): string[] => n.map((d) => `Day ${String(d).padStart(2, '0')}`);
const range = (from: number, to: number): number[] =>
  Array.from({ length: from - to + 1 }, (_, i) => from - i);
const POLITICS = '%D0%BF%D0%BE%D0%BB%D0%B8%D1%82%D0%B8%D0%BA%D0%B0';

describe('RFC 5005 paging', () => {
  it('keeps everything newer than the newest archive page in the main feed, and links the archive', async () => {
    const main = await rssOf('/rss.xml');
    // 17 items, 5 a page: pages 1 (days 1–5) and 2 (days 6–10) are full, 7 items stay in the feed.
    expect(main.titles).toEqual(days(...range(17, 11)));
    expect(main.links).toMatchObject({
      self: `${BASE}/rss.xml`,
      first: `${BASE}/rss.xml`,
      next: `${BASE}/archive/2/rss.xml`,
      last: `${BASE}/archive/1/rss.xml`,
    });
    expect(main.links.previous).toBeUndefined();
  });

  it.each([
    ['the site', '', range(17, 1), ['', '/archive/2', '/archive/1']],
    [
      'a tag',
      '/tags/news',
      range(17, 1),
      ['/tags/news', '/tags/news/archive/2', '/tags/news/archive/1'],
    ],
    [
      'a tag with two spellings',
      '/tags/cafe',
      range(17, 1),
      ['/tags/cafe', '/tags/cafe/archive/2', '/tags/cafe/archive/1'],
    ],
    // Six items: fewer than two pages, so all of them stay in the feed.
    [
      'a tag too short for an archive page',
      `/tags/${POLITICS}`,
      [16, 13, 10, 7, 4, 1],
      [`/tags/${POLITICS}`],
    ],
    // Thirteen items by one author spelled two ways: page 1 holds the five oldest, the feed the eight newer.
    [
      'an author',
      '/authors/zoe-adams',
      [17, 15, 14, 13, 11, 10, 9, 7, 6, 5, 3, 2, 1],
      ['/authors/zoe-adams', '/authors/zoe-adams/archive/1'],
    ],
    [
      'an author too short for an archive page',
      '/authors/bo-chen',
      [13, 10, 7, 1],
      ['/authors/bo-chen'],
    ],
  ] as const)(
    'gives every item of %s exactly once, newest first, following next in RSS, Atom and JSON Feed',
    async (_name, base, expected, chain) => {
      for (const format of ['rss', 'atom', 'json'] as const) {
        const pages = await followNext(format, `${BASE}${base}/${FILES[format]}`);
        expect(
          pages.map((p) => p.url),
          format,
        ).toEqual(chain.map((b) => `${BASE}${b}/${FILES[format]}`));
        expect(
          pages.flatMap((p) => p.titles),
          format,
        ).toEqual(days(...expected));
      }
    },
  );

  it('numbers archive pages from the oldest, with first, previous, next and last agreeing', async () => {
    const first = await rssOf('/archive/1/rss.xml');
    expect(first.titles).toEqual(days(5, 4, 3, 2, 1));
    expect(first.links).toMatchObject({
      self: `${BASE}/archive/1/rss.xml`,
      first: `${BASE}/rss.xml`,
      previous: `${BASE}/archive/2/rss.xml`,
      last: `${BASE}/archive/1/rss.xml`,
    });
    expect(first.links.next).toBeUndefined();
    const second = await rssOf('/archive/2/rss.xml');
    expect(second.titles).toEqual(days(10, 9, 8, 7, 6));
    expect(second.links).toMatchObject({
      first: `${BASE}/rss.xml`,
      next: `${BASE}/archive/1/rss.xml`,
      previous: `${BASE}/rss.xml`,
      last: `${BASE}/archive/1/rss.xml`,
    });
    const atom = await readFeed('atom', `${BASE}/archive/2/atom.xml`);
    expect(atom.titles).toEqual(second.titles);
    expect(atom.links).toMatchObject({
      first: `${BASE}/atom.xml`,
      next: `${BASE}/archive/1/atom.xml`,
      previous: `${BASE}/atom.xml`,
      last: `${BASE}/archive/1/atom.xml`,
    });
    for (const path of [
      '/archive/3/rss.xml',
      '/archive/3/',
      '/tags/news/archive/3/feed.json',
      `/tags/${POLITICS}/archive/1/rss.xml`,
    ]) {
      expect((await fetch(path)).status, path).toBe(404);
    }
  });

  it('gives the long lifetime only to pages whose bytes can no longer change', async () => {
    const long = 'public, max-age=604800, s-maxage=604800, stale-while-revalidate=60';
    for (const path of [
      '/archive/1/rss.xml',
      '/archive/1/atom.xml',
      '/archive/1/feed.json',
      '/archive/1/',
      '/tags/news/archive/1/feed.json',
    ]) {
      expect((await fetch(path)).headers.get('cache-control'), path).toBe(long);
    }
    // The newest archive page's items are final, but its "previous" link (and its page's
    // "Newer articles") moves from the feed to page 3 once page 3 appears.
    expect((await fetch('/archive/2/rss.xml')).headers.get('cache-control')).toBe(
      'public, max-age=300, s-maxage=600, stale-while-revalidate=60',
    );
    expect((await fetch('/archive/2/')).headers.get('cache-control')).toBe(
      'public, max-age=3600, s-maxage=86400, stale-while-revalidate=60',
    );
  });

  it('pages Atom with the same relations', async () => {
    const feed = parseXml(await (await fetch('/atom.xml')).text()).feed;
    const links = Object.fromEntries(
      feed.link.map((l: XmlValue) => [l['@rel'] ?? 'alternate', l['@href']]),
    );
    expect(links).toMatchObject({
      self: `${BASE}/atom.xml`,
      first: `${BASE}/atom.xml`,
      next: `${BASE}/archive/2/atom.xml`,
      last: `${BASE}/archive/1/atom.xml`,
      hub: 'https://hub.example/',
    });
    expect(feed.entry).toHaveLength(7);
  });

  it('chains JSON Feed pages with next_url, never pointing back', async () => {
    const pages: string[] = [];
    for (let url: string | undefined = `${BASE}/feed.json`; url; ) {
      const feed = (await (await fetch(url)).json()) as { feed_url: string; next_url?: string };
      expect(feed.feed_url).toBe(`${BASE}/feed.json`);
      pages.push(url);
      if (feed.next_url) {
        expect(feed.next_url).not.toBe(feed.feed_url);
        expect(pages).not.toContain(feed.next_url);
      }
      url = feed.next_url;
    }
    expect(pages).toEqual([
      `${BASE}/feed.json`,
      `${BASE}/archive/2/feed.json`,
      `${BASE}/archive/1/feed.json`,
    ]);
  });

  it('pages the HTML index like the feeds, each article on one list page', async () => {
    const html = await (await fetch('/')).text();
    expect(html).toContain(`<a rel="next" href="${BASE}/archive/2/">Older articles</a>`);
    const archive = await (await fetch('/archive/2/')).text();
    expect(archive).toContain(`<a rel="prev" href="${BASE}/">Newer articles</a>`);
    expect(archive).toContain(`<a rel="next" href="${BASE}/archive/1/">Older articles</a>`);
    const oldest = await (await fetch('/archive/1/')).text();
    expect(oldest).toContain(`<a rel="prev" href="${BASE}/archive/2/">Newer articles</a>`);
    expect(oldest).not.toContain('rel="next"');
    const listed = [html, archive, oldest].flatMap((page) =>
      [...page.matchAll(/<h2><a href="[^"]+">(Day \d+)<\/a><\/h2>/g)].map((m) => m[1]),
    );
    expect(listed).toEqual(days(...range(17, 1)));
    expect((await fetch('/archive/3/')).status).toBe(404);
    // Page 2 is the Worker's (the newest), but `_redirects` answers every `/archive/:page`
    // spelling first, from the static assets, with a same-origin Location (docs/static-assets.md §1).
    for (const page of ['1', '2']) {
      const res = await fetch(`/archive/${page}`, { redirect: 'manual' });
      expect(res.status, page).toBe(301);
      expect(res.headers.get('location'), page).toBe(`/archive/${page}/`);
    }
    expect((await fetch('/tags/news', { redirect: 'manual' })).headers.get('location')).toBe(
      `${BASE}/tags/news/`,
    );
    // Addresses that name no page get 404 from the Worker, not a redirect to another 404 ...
    expect((await fetch('/tags/news.xml', { redirect: 'manual' })).status).toBe(404);
    // ... but `/archive/:page` matches any segment, so the asset tier sends the slash to
    // these too (docs/static-assets.md §3, "side effect"); the page it names is still a 404.
    const guessed = await fetch('/archive/1.json', { redirect: 'manual' });
    expect(guessed.status).toBe(301);
    expect(guessed.headers.get('location')).toBe('/archive/1.json/');
    expect((await fetch('/archive/1.json')).status).toBe(404);
  });
});

describe('tag feeds', () => {
  it('gives every tag RSS, Atom and JSON feeds and a page that finds them', async () => {
    for (const slug of ['news', 'cafe', '%D0%BF%D0%BE%D0%BB%D0%B8%D1%82%D0%B8%D0%BA%D0%B0']) {
      const page = await fetch(`/tags/${slug}/`);
      expect(page.status, slug).toBe(200);
      const html = await page.text();
      for (const file of ['rss.xml', 'atom.xml', 'feed.json']) {
        expect(html, `${slug} ${file}`).toContain(`rel="alternate" type="`);
        expect(html).toContain(`href="${BASE}/tags/${slug}/${file}"`);
        expect((await fetch(`/tags/${slug}/${file}`)).status, `${slug}/${file}`).toBe(200);
      }
    }
  });

  it('merges spellings that differ only in case or accents into one tag, on purpose', async () => {
    const feed = (await (await fetch('/tags/cafe/feed.json')).json()) as {
      title: string;
      items: unknown[];
      next_url?: string;
    };
    expect(feed.title).toBe('Fixture News · Café');
    const all = await rssOf('/tags/cafe/rss.xml');
    expect(all.titles).toEqual(days(...range(17, 11)));
    expect((await fetch('/tags/caf%C3%A9/')).status).toBe(404);
  });

  it('serves Unicode tag slugs in any percent-encoding case', async () => {
    const upper = await fetch('/tags/%D0%BF%D0%BE%D0%BB%D0%B8%D1%82%D0%B8%D0%BA%D0%B0/rss.xml');
    const lower = await fetch('/tags/%d0%bf%d0%be%d0%bb%d0%b8%d1%82%d0%b8%d0%ba%d0%b0/rss.xml');
    const raw = await fetch(`${BASE}/tags/политика/rss.xml`);
    const body = await upper.text();
    expect(await lower.text()).toBe(body);
    expect(await raw.text()).toBe(body);
    expect(parseXml(body).rss.channel.item.map((i: XmlValue) => i.title)).toEqual(
      days(16, 13, 10, 7, 4, 1),
    );
  });

  it('links tags from article pages', async () => {
    const html = await (await fetch('/articles/day-01')).text();
    expect(html).toContain(`<a rel="tag" href="${BASE}/tags/cafe/">Café</a>`);
  });
});

describe('author feeds', () => {
  it('gives every author RSS, Atom and JSON feeds and a page that finds them', async () => {
    for (const slug of ['zoe-adams', 'bo-chen', 'fixture-desk']) {
      const page = await fetch(`/authors/${slug}/`);
      expect(page.status, slug).toBe(200);
      const html = await page.text();
      for (const [file, type] of [
        ['rss.xml', 'application/rss+xml'],
        ['atom.xml', 'application/atom+xml'],
        ['feed.json', 'application/feed+json'],
      ]) {
        expect(html, `${slug} ${file}`).toContain(`<link rel="alternate" type="${type}" title="`);
        expect(html).toContain(`href="${BASE}/authors/${slug}/${file}"`);
        const feed = await fetch(`/authors/${slug}/${file}`);
        expect(feed.status, `${slug}/${file}`).toBe(200);
        expect(feed.headers.get('content-type')).toBe(`${type}; charset=utf-8`);
      }
    }
  });

  it("puts an article with two authors in both authors' feeds, and in no one else's", async () => {
    const zoe = await rssOf('/authors/zoe-adams/rss.xml');
    const bo = await rssOf('/authors/bo-chen/rss.xml');
    const desk = await rssOf('/authors/fixture-desk/rss.xml');
    expect(bo.titles).toEqual(days(13, 10, 7, 1));
    for (const title of bo.titles)
      expect(
        zoe.titles.concat((await rssOf('/authors/zoe-adams/archive/1/rss.xml')).titles),
      ).toContain(title);
    expect(desk.titles).toEqual(days(16, 12, 8, 4));
    const atom = parseXml(await (await fetch('/authors/bo-chen/atom.xml')).text()).feed;
    expect(atom.entry.map((e: XmlValue) => e.title)).toEqual(days(13, 10, 7, 1));
    const json = (await (await fetch('/authors/bo-chen/feed.json')).json()) as {
      items: { title: string; authors: { name: string }[] }[];
    };
    expect(json.items.map((i) => [i.title, i.authors.map((a) => a.name)])).toEqual(
      days(13, 10, 7, 1).map((t) => [t, ['Zoë Adams', 'Bo Chen']]),
    );
  });

  it("pages an author's feeds and page like the site's, newest first", async () => {
    // Thirteen articles by Zoë Adams, spelled two ways: the oldest five on archive page 1, and
    // everything newer (eight, between N and 2N−1) in the feed.
    const main = await rssOf('/authors/zoe-adams/rss.xml');
    expect(main.titles).toEqual(days(17, 15, 14, 13, 11, 10, 9, 7));
    expect(main.links).toMatchObject({
      self: `${BASE}/authors/zoe-adams/rss.xml`,
      first: `${BASE}/authors/zoe-adams/rss.xml`,
      next: `${BASE}/authors/zoe-adams/archive/1/rss.xml`,
      last: `${BASE}/authors/zoe-adams/archive/1/rss.xml`,
    });
    const archive = await rssOf('/authors/zoe-adams/archive/1/rss.xml');
    expect(archive.titles).toEqual(days(6, 5, 3, 2, 1));
    expect(archive.links).toMatchObject({
      first: `${BASE}/authors/zoe-adams/rss.xml`,
      previous: `${BASE}/authors/zoe-adams/rss.xml`,
    });
    const pages: string[] = [];
    let url: string | undefined = `${BASE}/authors/zoe-adams/feed.json`;
    while (url) {
      pages.push(url);
      const feed = (await (await fetch(url)).json()) as { feed_url: string; next_url?: string };
      expect(feed.feed_url).toBe(`${BASE}/authors/zoe-adams/feed.json`);
      url = feed.next_url;
    }
    expect(pages).toEqual([
      `${BASE}/authors/zoe-adams/feed.json`,
      `${BASE}/authors/zoe-adams/archive/1/feed.json`,
    ]);
    const html = await (await fetch('/authors/zoe-adams/')).text();
    expect(html).toContain(
      `<a rel="next" href="${BASE}/authors/zoe-adams/archive/1/">Older articles</a>`,
    );
    expect(await (await fetch('/authors/zoe-adams/archive/1/')).text()).toContain(
      `<a rel="prev" href="${BASE}/authors/zoe-adams/">Newer articles</a>`,
    );
    expect((await fetch('/authors/zoe-adams/archive/2/')).status).toBe(404);
  });

  it('redirects an author address without the slash, and answers 404 for an unknown author', async () => {
    const res = await fetch('/authors/bo-chen', { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`${BASE}/authors/bo-chen/`);
    expect((await fetch('/authors/nobody/')).status).toBe(404);
    expect((await fetch('/authors/nobody/feed.json')).status).toBe(404);
    expect((await fetch('/authors/bo-chen.xml', { redirect: 'manual' })).status).toBe(404);
    // Spellings are one author: the accented address is not another page.
    expect((await fetch('/authors/zo%C3%AB-adams/')).status).toBe(404);
  });

  it('links every byline name to a page that answers 200', async () => {
    const html = await (await fetch('/articles/day-10')).text();
    const links = [...html.matchAll(/<a rel="author" href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [
      m[2],
      m[1],
    ]);
    expect(links).toEqual([
      ['Zoë Adams', `${BASE}/authors/zoe-adams/`],
      ['Bo Chen', `${BASE}/authors/bo-chen/`],
    ]);
    for (const [, href] of links) expect((await fetch(href ?? '')).status, href).toBe(200);
    expect(await (await fetch('/articles/day-12')).text()).toContain(
      `By <a rel="author" href="${BASE}/authors/fixture-desk/">Fixture Desk</a>`,
    );
  });

  it("names the author as the feed's author, with their url where given", async () => {
    const atom = parseXml(await (await fetch('/authors/bo-chen/atom.xml')).text()).feed;
    expect(atom.author).toEqual({ name: 'Bo Chen', uri: 'https://bo.example/' });
    expect(atom.id).toBe('tag:news.example,2026:authors/bo-chen/');
    const zoe = (await (await fetch('/authors/zoe-adams/feed.json')).json()) as {
      title: string;
      description: string;
      authors: unknown;
    };
    expect(zoe).toMatchObject({
      title: 'Fixture News · Zoë Adams',
      description: 'Articles by Zoë Adams.',
      authors: [{ name: 'Zoë Adams', url: `${BASE}/authors/zoe-adams/` }],
    });
  });

  it('announces the hub in author feeds, but not on their archive pages', async () => {
    expect((await fetch('/authors/zoe-adams/rss.xml')).headers.get('link')).toBe(
      `<https://hub.example/>; rel="hub", <${BASE}/authors/zoe-adams/rss.xml>; rel="self"`,
    );
    const json = (await (await fetch('/authors/zoe-adams/feed.json')).json()) as { hubs: unknown };
    expect(json.hubs).toEqual([{ type: 'WebSub', url: 'https://hub.example/' }]);
    expect((await fetch('/authors/zoe-adams/archive/1/atom.xml')).headers.get('link')).toBeNull();
  });
});

describe('images, icons and WebSub', () => {
  it('carries the article image in all three formats', async () => {
    const json = (await (await fetch('/feed.json')).json()) as {
      icon: string;
      favicon: string;
      items: { title: string; image?: string }[];
    };
    expect(json.items.find((i) => i.title === 'Day 12')?.image).toBe(
      'https://cdn.example/photos/day-12.jpg',
    );
    expect(json.icon).toBe('https://news.example/logo.png');
    expect(json.favicon).toBe('https://news.example/icon.png');
    const rss = parseXml(await (await fetch('/rss.xml')).text()).rss.channel;
    expect(rss.item.find((i: XmlValue) => i.title === 'Day 12').enclosure).toMatchObject({
      '@url': 'https://cdn.example/photos/day-12.jpg',
      '@type': 'image/jpeg',
      '@length': '0',
    });
    expect(rss.image).toMatchObject({
      url: 'https://news.example/logo.png',
      title: 'Fixture News',
      link: [`${BASE}/`],
    });
    const atom = parseXml(await (await fetch('/atom.xml')).text()).feed;
    expect(
      atom.entry
        .find((e: XmlValue) => e.title === 'Day 12')
        .link.find((l: XmlValue) => l['@rel'] === 'enclosure'),
    ).toMatchObject({ '@href': 'https://cdn.example/photos/day-12.jpg', '@type': 'image/jpeg' });
    expect(atom.icon).toBe('https://news.example/icon.png');
    expect(atom.logo).toBe('https://news.example/logo.png');
  });

  it('sends browsers asking for /favicon.ico to SITE_ICON', async () => {
    const res = await fetch('/favicon.ico', { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('https://news.example/icon.png');
  });

  it('announces the hub in the feeds and in a Link header', async () => {
    const res = await fetch('/rss.xml');
    expect(res.headers.get('link')).toBe(
      `<https://hub.example/>; rel="hub", <${BASE}/rss.xml>; rel="self"`,
    );
    expect((await fetch('/tags/news/atom.xml')).headers.get('link')).toBe(
      `<https://hub.example/>; rel="hub", <${BASE}/tags/news/atom.xml>; rel="self"`,
    );
    const json = (await (await fetch('/feed.json')).json()) as { hubs: unknown };
    expect(json.hubs).toEqual([{ type: 'WebSub', url: 'https://hub.example/' }]);
    expect((await fetch('/archive/1/rss.xml')).headers.get('link')).toBeNull();
  });
});

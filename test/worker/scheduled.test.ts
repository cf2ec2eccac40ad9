import { describe, expect, it } from 'vitest';
import type { EdgeCacheScope } from '../../src/site/types.ts';
import { site as scheduledSite } from '../generated/scheduled.js';
import { site as scheduledPagesSite } from '../generated/scheduled-pages.js';
import { SCHEDULED_AT, SCHEDULED_PAGES_AT } from '../support/schedule.ts';
import { fixtureAssets, serveFixture } from './fixture-app.ts';
import { parseXml, type XmlValue } from './support.ts';

const PUBLISHED_AT = 'Tue, 31 Dec 2024 09:00:00 GMT';

/** The scheduled fixture served at a fixed instant, with a cache namespace of its own. */
function appAt(
  now: number,
  buildId = `scheduled-${crypto.randomUUID()}`,
  edgeCache: EdgeCacheScope = 'computed',
): (path: string) => Promise<Response> {
  return serveFixture(scheduledSite, now, { buildId, edgeCache });
}

async function titlesIn(
  fetch: (path: string) => Promise<Response>,
): Promise<Record<string, string[]>> {
  const rss = parseXml(await (await fetch('/rss.xml')).text()).rss.channel.item ?? [];
  const atom = parseXml(await (await fetch('/atom.xml')).text()).feed.entry ?? [];
  const json = ((await (await fetch('/feed.json')).json()) as { items: { title: string }[] }).items;
  const index = await (await fetch('/')).text();
  return {
    rss: rss.map((i: XmlValue) => i.title),
    atom: atom.map((e: XmlValue) => e.title),
    json: json.map((i) => i.title),
    index: ['Already out', 'Coming soon'].filter((t) => index.includes(`>${t}</a>`)),
  };
}

describe('scheduled publishing', () => {
  it('keeps a future article out of every feed, the index and its own URL before its time', async () => {
    const fetch = appAt(SCHEDULED_AT - 60 * 60 * 1000);
    expect(await titlesIn(fetch)).toEqual({
      rss: ['Already out'],
      atom: ['Already out'],
      json: ['Already out'],
      index: ['Already out'],
    });
    expect((await fetch('/articles/coming-soon')).status).toBe(404);
    expect((await fetch('/articles/already-out')).status).toBe(200);
  });

  it('keeps a future article out of the static assets, so that it is not served before its instant', async () => {
    const assets = fixtureAssets(scheduledSite);
    const has = (path: string) =>
      assets.unstable_canFetch(new Request(`https://news.example${path}`));
    // The build put the published article's page in the assets, and the scheduled one's not.
    expect(await has('/articles/already-out')).toBe(true);
    expect(await has('/articles/coming-soon')).toBe(false);
    const titlesOfQuery = async (fetch: (path: string) => Promise<Response>) =>
      (
        (await (await fetch('/feed.json?limit=5')).json()) as { items: { title: string }[] }
      ).items.map((i) => i.title);
    const fetchBefore = appAt(SCHEDULED_AT - 1);
    const out = await fetchBefore('/articles/already-out');
    expect(out.status).toBe(200);
    // From the asset tier, which sends no Last-Modified.
    expect(out.headers.get('last-modified')).toBeNull();
    for (const path of ['/articles/coming-soon', '/articles/coming-soon/']) {
      const hidden = await fetchBefore(path);
      expect(hidden.status, path).toBe(404);
      expect(await hidden.text(), path).toContain('Page not found');
    }
    expect(await titlesOfQuery(fetchBefore)).toEqual(['Already out']);
    expect(await titlesIn(fetchBefore)).toMatchObject({
      rss: ['Already out'],
      index: ['Already out'],
    });
    const fetchAfter = appAt(SCHEDULED_AT);
    const shown = await fetchAfter('/articles/coming-soon');
    expect(shown.status).toBe(200);
    // From the Worker, with its validators.
    expect(shown.headers.get('last-modified')).toBe('Wed, 01 Jan 2025 12:00:00 GMT');
    expect(await shown.text()).toContain('<h1>Coming soon</h1>');
    expect(await titlesOfQuery(fetchAfter)).toEqual(['Coming soon', 'Already out']);
  });

  it('does not let a future article move updated, lastBuildDate or Last-Modified', async () => {
    const fetch = appAt(SCHEDULED_AT - 1000);
    const rss = await fetch('/rss.xml');
    expect(rss.headers.get('last-modified')).toBe(PUBLISHED_AT);
    expect(parseXml(await rss.text()).rss.channel.lastBuildDate).toBe(PUBLISHED_AT);
    expect(parseXml(await (await fetch('/atom.xml')).text()).feed.updated).toBe(
      '2024-12-31T09:00:00.000Z',
    );
  });

  it('shows the article from its instant on, without a rebuild', async () => {
    const fetch = appAt(SCHEDULED_AT);
    expect(await titlesIn(fetch)).toEqual({
      rss: ['Coming soon', 'Already out'],
      atom: ['Coming soon', 'Already out'],
      json: ['Coming soon', 'Already out'],
      index: ['Already out', 'Coming soon'],
    });
    expect((await fetch('/articles/coming-soon')).status).toBe(200);
    expect((await fetch('/rss.xml')).headers.get('last-modified')).toBe(
      'Wed, 01 Jan 2025 12:00:00 GMT',
    );
  });

  it('clamps every lifetime to the seconds left before the next publication', async () => {
    const fetch = appAt(SCHEDULED_AT - 90 * 1000);
    expect((await fetch('/rss.xml')).headers.get('cache-control')).toBe(
      'public, max-age=90, s-maxage=90',
    );
    expect((await fetch('/')).headers.get('cache-control')).toBe('public, max-age=90, s-maxage=90');
    expect((await fetch('/articles/coming-soon')).headers.get('cache-control')).toBe(
      'public, max-age=60, s-maxage=60, stale-while-revalidate=30',
    );
    const far = appAt(SCHEDULED_AT - 400 * 1000);
    expect((await far('/rss.xml')).headers.get('cache-control')).toBe(
      'public, max-age=300, s-maxage=400',
    );
  });

  it('does not clamp once nothing more is scheduled', async () => {
    const fetch = appAt(SCHEDULED_AT + 1);
    expect((await fetch('/rss.xml')).headers.get('cache-control')).toBe(
      'public, max-age=300, s-maxage=600, stale-while-revalidate=60',
    );
  });

  it.each([
    ['all', '/feed.json'],
    ['computed', '/feed.json?limit=10'],
  ] as const)(
    'never serves an edge-cached answer from before the publication after it (EDGE_CACHE = "%s", %s)',
    async (scope, path) => {
      const buildId = `scheduled-${crypto.randomUUID()}`;
      const fetchBefore = appAt(SCHEDULED_AT - 10_000, buildId, scope);
      await (await fetchBefore(path)).text();
      expect((await fetchBefore(path)).headers.get('x-edge-cache')).toBe('HIT');
      const fetchAfter = appAt(SCHEDULED_AT, buildId, scope);
      const res = await fetchAfter(path);
      expect(res.headers.get('x-edge-cache')).toBe('MISS');
      expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(2);
    },
  );
});

describe('scheduled publishing with paging (two items a page)', () => {
  const [first, second, third] = SCHEDULED_PAGES_AT;
  const BASE = 'https://news.example';
  type Format = 'rss' | 'atom' | 'json';
  const FILES: Record<Format, string> = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' };

  /** Titles along the `next` chain from the subscription document, one list per document. */
  async function chainAt(
    now: number,
    format: Format,
  ): Promise<{ urls: string[]; titles: string[][] }> {
    const fetch = serveFixture(scheduledPagesSite, now);
    const urls: string[] = [];
    const titles: string[][] = [];
    for (let url: string | undefined = `${BASE}/${FILES[format]}`; url !== undefined; ) {
      expect(urls, `loop at ${url}`).not.toContain(url);
      const res = await fetch(url);
      expect(res.status, url).toBe(200);
      urls.push(url);
      if (format === 'json') {
        const feed = (await res.json()) as { next_url?: string; items: { title: string }[] };
        titles.push(feed.items.map((i) => i.title));
        url = feed.next_url;
        continue;
      }
      const xml = parseXml(await res.text());
      const [links, items]: [XmlValue[], XmlValue[]] =
        format === 'rss'
          ? [xml.rss.channel['atom:link'], xml.rss.channel.item ?? []]
          : [xml.feed.link, xml.feed.entry ?? []];
      titles.push(items.map((i) => i.title));
      url = links.find((l) => l['@rel'] === 'next')?.['@href'];
    }
    return { urls, titles };
  }

  it.each(['rss', 'atom', 'json'] as const)(
    'makes archive pages appear at the instants that fill them, every item once (%s)',
    async (format) => {
      const file = FILES[format];
      // Three items: fewer than two pages, so no archive page yet.
      expect(await chainAt(first - 1, format)).toEqual({
        urls: [`${BASE}/${file}`],
        titles: [['Out 3', 'Out 2', 'Out 1']],
      });
      // The first scheduled article makes four: page 1 takes the two oldest.
      expect(await chainAt(first, format)).toEqual({
        urls: [`${BASE}/${file}`, `${BASE}/archive/1/${file}`],
        titles: [
          ['Due 1', 'Out 3'],
          ['Out 2', 'Out 1'],
        ],
      });
      expect(await chainAt(second, format)).toEqual({
        urls: [`${BASE}/${file}`, `${BASE}/archive/1/${file}`],
        titles: [
          ['Due 2', 'Due 1', 'Out 3'],
          ['Out 2', 'Out 1'],
        ],
      });
      // The third makes six: page 2 appears, and page 1 keeps its items.
      expect(await chainAt(third, format)).toEqual({
        urls: [`${BASE}/${file}`, `${BASE}/archive/2/${file}`, `${BASE}/archive/1/${file}`],
        titles: [
          ['Due 3', 'Due 2'],
          ['Due 1', 'Out 3'],
          ['Out 2', 'Out 1'],
        ],
      });
    },
  );

  it('serves no archive page before its instant, and caches none past the next publication', async () => {
    const fetchBefore = serveFixture(scheduledPagesSite, first - 30_000);
    expect((await fetchBefore('/archive/1/rss.xml')).status).toBe(404);
    expect((await fetchBefore('/archive/1/')).status).toBe(404);
    expect((await fetchBefore('/rss.xml')).headers.get('cache-control')).toBe(
      'public, max-age=30, s-maxage=30',
    );
    // Page 1 is the newest page until page 2 appears: a short lifetime, clamped to the next publication.
    const fetchBetween = serveFixture(scheduledPagesSite, third - 30_000);
    expect((await fetchBetween('/archive/1/rss.xml')).headers.get('cache-control')).toBe(
      'public, max-age=30, s-maxage=30',
    );
    expect((await fetchBetween('/archive/2/rss.xml')).status).toBe(404);
    const fetchAfter = serveFixture(scheduledPagesSite, third);
    expect((await fetchAfter('/archive/1/rss.xml')).headers.get('cache-control')).toBe(
      'public, max-age=604800, s-maxage=604800, stale-while-revalidate=60',
    );
    expect((await fetchAfter('/archive/2/rss.xml')).headers.get('cache-control')).toBe(
      'public, max-age=300, s-maxage=600, stale-while-revalidate=60',
    );
  });

  it('changes only the previous link of page 1 when page 2 appears', async () => {
    const body = async (now: number, path: string): Promise<string> =>
      (await serveFixture(scheduledPagesSite, now)(path)).text();
    for (const [file, from, to] of [
      [
        'rss.xml',
        `href="${BASE}/rss.xml" rel="previous"`,
        `href="${BASE}/archive/2/rss.xml" rel="previous"`,
      ],
      [
        'atom.xml',
        `href="${BASE}/atom.xml" rel="previous"`,
        `href="${BASE}/archive/2/atom.xml" rel="previous"`,
      ],
      ['', `<a rel="prev" href="${BASE}/">`, `<a rel="prev" href="${BASE}/archive/2/">`],
    ] as const) {
      const early = await body(first, `/archive/1/${file}`);
      const late = await body(third, `/archive/1/${file}`);
      expect(early, file).toContain(from);
      expect(late.replace(to, from), file).toBe(early);
      expect(late).not.toBe(early);
    }
    expect(await body(third, '/archive/1/feed.json')).toBe(
      await body(first, '/archive/1/feed.json'),
    );
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../../src/index.ts';
import { fetchWorker, parseXml, type XmlValue } from './support.ts';

const SEED_SLUG = 'moscow-rebuffs-armenian-pms-claims-of-betrayal';
const SEED_TITLE = "Moscow Rebuffs Armenian PM's Claims of Betrayal";
const SEED_ORIGINAL =
  'https://www.themoscowtimes.com/2023/09/25/moscow-rebuffs-armenian-pms-claims-of-betrayal-a82557';
const SITE = 'http://127.0.0.1:8787';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the router in front of the Worker', () => {
  it('runs the Worker, with ASSETS in its env, only for what the static assets do not answer', async () => {
    const runs = vi.spyOn(worker, 'fetch');
    const page = await fetchWorker(`/articles/${SEED_SLUG}`);
    expect(page.status).toBe(200);
    await page.arrayBuffer();
    expect(runs).not.toHaveBeenCalled();
    await (await fetchWorker('/rss.xml')).arrayBuffer();
    expect(runs).toHaveBeenCalledTimes(1);
    const env = runs.mock.calls[0]?.[1] as { ASSETS?: { fetch?: unknown } } | undefined;
    expect(typeof env?.ASSETS?.fetch).toBe('function');
  });
});

describe('feed routes', () => {
  it('serves RSS 2.0 with the seed article', async () => {
    const res = await fetchWorker('/rss.xml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const doc = parseXml(await res.text());
    const channel = doc.rss.channel;
    expect(doc.rss['@version']).toBe('2.0');
    const self = channel['atom:link'].find((l: XmlValue) => l['@rel'] === 'self');
    expect(self['@href']).toBe(`${SITE}/rss.xml`);
    expect(channel.lastBuildDate).toBe('Mon, 25 Sep 2023 00:00:00 GMT');
    const item = channel.item.find((i: XmlValue) => i.title === SEED_TITLE);
    expect(item.link).toEqual([`${SITE}/articles/${SEED_SLUG}`]);
    expect(item.pubDate).toBe('Mon, 25 Sep 2023 00:00:00 GMT');
    expect(item.guid['@isPermaLink']).toBe('false');
    expect(item.guid['#text']).toBe(`tag:dispatch.example,2026:${SEED_SLUG}`);
    expect(item['atom:link'][0]['@href']).toBe(SEED_ORIGINAL);
    expect(item['content:encoded']).toContain('Kremlin spokesman Dmitry Peskov told reporters.');
    expect(item['content:encoded']).not.toContain('href="#"');
    expect(item['content:encoded']).not.toContain('Original url');
  });

  it('serves Atom 1.0 with the seed article', async () => {
    const res = await fetchWorker('/atom.xml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const feed = parseXml(await res.text()).feed;
    expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.updated).toBe('2023-09-25T00:00:00.000Z');
    expect(feed.link.find((l: XmlValue) => l['@rel'] === 'self')['@href']).toBe(`${SITE}/atom.xml`);
    const entry = feed.entry[0];
    // A plain-text construct (RFC 4287 §3.1.1.1): the title as written.
    expect(entry.title).toBe(SEED_TITLE);
    expect(entry.published).toBe('2023-09-25T00:00:00.000Z');
    expect(entry.link.map((l: XmlValue) => [l['@rel'], l['@href']])).toEqual([
      [undefined, `${SITE}/articles/${SEED_SLUG}`],
      ['via', SEED_ORIGINAL],
    ]);
  });

  it('serves JSON Feed 1.1 with the seed article', async () => {
    const res = await fetchWorker('/feed.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    const feed = (await res.json()) as XmlValue;
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.feed_url).toBe(`${SITE}/feed.json`);
    const item = feed.items[0];
    expect(item.title).toBe(SEED_TITLE);
    expect(item.date_published).toBe('2023-09-25T00:00:00.000Z');
    expect(item.external_url).toBe(SEED_ORIGINAL);
    expect(item.url).toBe(`${SITE}/articles/${SEED_SLUG}`);
    expect(item.content_html).not.toMatch(/href="#"/);
  });

  it.each([
    ['/feed', '/rss.xml'],
    ['/rss', '/rss.xml'],
    ['/feed.xml', '/atom.xml'],
    ['/index.xml', '/rss.xml'],
    ['/atom', '/atom.xml'],
    ['/authors/the-dispatch-newsroom', '/authors/the-dispatch-newsroom/'],
  ])('redirects %s permanently to %s', async (from, to) => {
    const res = await fetchWorker(from, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`${SITE}${to}`);
  });

  // The article page is settled, so the static assets answer its other spellings: `_redirects`
  // with a relative target (this SITE_URL is http://, whose absolute targets the asset tier
  // drops), and html_handling's 307 for the file's own name (docs/static-assets.md §1, §3).
  it.each([
    [`/articles/${SEED_SLUG}/`, 301],
    [`/articles/${SEED_SLUG}.html`, 307],
  ])('redirects %s to the article page, from the static assets (%i)', async (from, status) => {
    const res = await fetchWorker(from, { redirect: 'manual' });
    expect(res.status).toBe(status);
    expect(res.headers.get('location')).toBe(`/articles/${SEED_SLUG}`);
    expect(res.headers.get('x-edge-cache')).toBeNull();
    const followed = await fetchWorker(from);
    expect(followed.status).toBe(200);
    expect(await followed.text()).toContain(
      `<link rel="canonical" href="${SITE}/articles/${SEED_SLUG}">`,
    );
  });
});

describe("the site author's feeds", () => {
  const BASE = `${SITE}/authors/the-dispatch-newsroom`;

  it('serves RSS 2.0, Atom 1.0 and JSON Feed 1.1 with the seed article, which names no author', async () => {
    const rss = await fetchWorker('/authors/the-dispatch-newsroom/rss.xml');
    expect(rss.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const channel = parseXml(await rss.text()).rss.channel;
    expect(channel.title).toBe('The Dispatch · The Dispatch newsroom');
    expect(channel['atom:link'].find((l: XmlValue) => l['@rel'] === 'self')['@href']).toBe(
      `${BASE}/rss.xml`,
    );
    expect(channel.item.map((i: XmlValue) => [i.title, i['dc:creator']])).toEqual([
      [SEED_TITLE, 'The Dispatch newsroom'],
    ]);
    const atom = await fetchWorker('/authors/the-dispatch-newsroom/atom.xml');
    expect(atom.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const feed = parseXml(await atom.text()).feed;
    expect(feed.id).toBe('tag:dispatch.example,2026:authors/the-dispatch-newsroom/');
    expect(feed.author).toEqual({ name: 'The Dispatch newsroom', uri: `${BASE}/` });
    expect(feed.entry.map((e: XmlValue) => e.id)).toEqual([
      `tag:dispatch.example,2026:${SEED_SLUG}`,
    ]);
    const json = (await (
      await fetchWorker('/authors/the-dispatch-newsroom/feed.json')
    ).json()) as XmlValue;
    expect(json).toMatchObject({
      version: 'https://jsonfeed.org/version/1.1',
      home_page_url: `${BASE}/`,
      feed_url: `${BASE}/feed.json`,
    });
    expect(json.items.map((i: XmlValue) => i.authors)).toEqual([
      [{ name: 'The Dispatch newsroom', url: `${BASE}/` }],
    ]);
  });
});

describe('pages', () => {
  it('lists articles on the index with one autodiscovery link per format', async () => {
    const res = await fetchWorker('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    const alternates = [
      ...html.matchAll(/<link rel="alternate" type="([^"]+)" title="([^"]+)" href="([^"]+)">/g),
    ].map((m) => [m[1], m[3]]);
    expect(alternates).toEqual([
      ['application/rss+xml', `${SITE}/rss.xml`],
      ['application/atom+xml', `${SITE}/atom.xml`],
      ['application/feed+json', `${SITE}/feed.json`],
    ]);
    expect(
      new Set([...html.matchAll(/<link rel="alternate"[^>]* title="([^"]+)"/g)].map((m) => m[1]))
        .size,
    ).toBe(3);
    expect(html).toContain(`href="${SITE}/articles/${SEED_SLUG}"`);
  });

  it('serves the article page at its permalink with the original link', async () => {
    const res = await fetchWorker(`/articles/${SEED_SLUG}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>Moscow Rebuffs Armenian PM&#39;s Claims of Betrayal</h1>');
    expect(html).toContain(`href="${SEED_ORIGINAL}"`);
    expect(html).toContain(`<link rel="canonical" href="${SITE}/articles/${SEED_SLUG}">`);
  });

  it.each(['/nope', '/articles/nope', '/articles/__proto__', '/articles/constructor'])(
    'answers 404 for %s',
    async (path) => {
      const res = await fetchWorker(path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toContain('Page not found');
    },
  );

  it('answers 404 with a JSON body at unknown JSON addresses', async () => {
    const res = await fetchWorker('/missing.json');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('favicon', () => {
  it('answers /favicon.ico with 204 when no SITE_ICON is configured', async () => {
    const res = await fetchWorker('/favicon.ico');
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });
});

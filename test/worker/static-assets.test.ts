// The settled documents of the paged fixture (article pages, archive page 1 of each scope) as
// the real asset worker serves them from test/generated/paged.assets/, with the `_headers` and
// `_redirects` the build writes there; and the JSON query reading its items out of them.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServedSite } from '../../src/site/types.ts';
import { site as archivedSite } from '../generated/archived.js';
import { site } from '../generated/paged.js';
import { fixtureAssets, serveFixture } from './fixture-app.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const BASE = 'https://news.example';
const fetch = serveFixture(site, NOW);
const assets = fixtureAssets(site);

/** Whether the router sends `path` to the static assets rather than the app. */
function isAsset(path: string): Promise<boolean> {
  return assets.unstable_canFetch(new Request(`${BASE}${path}`));
}

const ARCHIVE_CACHE = 'public, max-age=604800, s-maxage=604800, stale-while-revalidate=60';
const PAGE_CACHE = 'public, max-age=3600, s-maxage=86400, stale-while-revalidate=60';
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'ETag, Last-Modified, X-Edge-Cache',
};
/** Every field that says what a document is or how it may be used and kept. */
const FIELDS = [
  'content-type',
  'cache-control',
  'content-security-policy',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'x-content-type-options',
];

function fieldsOf(res: Response): Record<string, string | null> {
  return Object.fromEntries(FIELDS.map((name) => [name, res.headers.get(name)]));
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** The fixture's ASSETS binding, recording the path of every file read through it. */
function countReads() {
  const reads: string[] = [];
  const counting = {
    fetch: (input: string) => {
      reads.push(new URL(input).pathname);
      return assets.fetch(input);
    },
    unstable_canFetch: (request: Request) => assets.unstable_canFetch(request),
  };
  return { reads, counting };
}

describe('settled documents from the static assets', () => {
  it('answer with the exact fields the Worker gives the same kind of document, and a 304 keeps them', async () => {
    // The site's CSP, as the Worker sends it on its own pages.
    const csp = (await fetch('/')).headers.get('content-security-policy');
    expect(csp).toMatch(/^default-src 'none';/);
    const feed = (type: string) => ({
      'content-type': `${type}; charset=utf-8`,
      'cache-control': ARCHIVE_CACHE,
      'content-security-policy': null,
      ...CORS,
      'x-content-type-options': 'nosniff',
    });
    const html = (cacheControl: string) => ({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': cacheControl,
      'content-security-policy': csp,
      'access-control-allow-origin': null,
      'access-control-expose-headers': null,
      'x-content-type-options': 'nosniff',
    });
    const expected: [string, Record<string, string | null>][] = [
      ['/archive/1/rss.xml', feed('application/rss+xml')],
      ['/archive/1/atom.xml', feed('application/atom+xml')],
      ['/archive/1/feed.json', feed('application/feed+json')],
      ['/tags/news/archive/1/atom.xml', feed('application/atom+xml')],
      ['/tags/cafe/archive/1/feed.json', feed('application/feed+json')],
      ['/archive/1/', html(ARCHIVE_CACHE)],
      ['/tags/cafe/archive/1/', html(ARCHIVE_CACHE)],
      ['/articles/day-01', html(PAGE_CACHE)],
    ];
    for (const [path, fields] of expected) {
      expect(await isAsset(path), path).toBe(true);
      const res = await fetch(path);
      expect(res.status, path).toBe(200);
      expect(fieldsOf(res), path).toEqual(fields);
      expect(res.headers.get('last-modified'), path).toBeNull();
      await res.arrayBuffer();
      const etag = res.headers.get('etag') ?? '';
      expect(etag, path).toMatch(/^"[0-9a-f]{32}"$/);
      const again = await fetch(path, { headers: { 'If-None-Match': etag } });
      expect(again.status, path).toBe(304);
      expect(await again.text(), path).toBe('');
      expect(again.headers.get('etag'), path).toBe(etag);
      expect(fieldsOf(again), path).toEqual(fields);
    }
  });

  it('type and share a settled feed as the Worker does its newest archive page', async () => {
    expect(await isAsset('/archive/2/rss.xml')).toBe(false);
    for (const file of ['rss.xml', 'atom.xml', 'feed.json']) {
      const [settled, newest] = [
        await fetch(`/archive/1/${file}`),
        await fetch(`/archive/2/${file}`),
      ];
      for (const name of FIELDS.filter((n) => n !== 'cache-control'))
        expect(settled.headers.get(name), `${file} ${name}`).toBe(newest.headers.get(name));
    }
  });

  it('answer the other spellings of their address with 301 from `_redirects` and 307 from html_handling', async () => {
    for (const [from, status, to] of [
      ['/archive/1', 301, '/archive/1/'],
      ['/tags/news/archive/1', 301, '/tags/news/archive/1/'],
      ['/articles/day-01/', 301, '/articles/day-01'],
      ['/archive/1/index.html', 307, '/archive/1/'],
      ['/articles/day-01.html', 307, '/articles/day-01'],
    ] as const) {
      expect(await isAsset(from), from).toBe(true);
      const res = await fetch(from, { redirect: 'manual' });
      expect(res.status, from).toBe(status);
      expect(res.headers.get('location'), from).toBe(to);
      expect(res.headers.get('x-content-type-options'), from).toBe('nosniff');
      const followed = await fetch(from);
      expect(followed.status, from).toBe(200);
      expect(await followed.text(), from).toBe(await (await fetch(to)).text());
    }
  });
});

/** Each JSON Feed item of a document by id, exactly as its bytes stand (two-space indentation). */
function itemTexts(body: string): Map<string, string> {
  const items = new Map<string, string>();
  const list = body.slice(body.indexOf('\n  "items": ['));
  for (const [text] of list.matchAll(/^ {4}\{\n[\s\S]*?\n {4}\}/gm))
    items.set((JSON.parse(text) as { id: string }).id, text);
  return items;
}

describe('the JSON query over settled archives (archived fixture)', () => {
  const fetchArchived = serveFixture(archivedSite, NOW);
  const archivedAssets = fixtureAssets(archivedSite);
  const idOf = (day: number) => `tag:news.example,2026:old-${String(day).padStart(2, '0')}`;

  /** Every item along the site's `next_url` chain, by id, with the page that holds it. */
  async function archiveItems(): Promise<Map<string, { text: string; page: string }>> {
    const items = new Map<string, { text: string; page: string }>();
    for (let url: string | undefined = `${BASE}/feed.json`; url; ) {
      const body = await (await fetchArchived(url)).text();
      for (const [id, text] of itemTexts(body))
        items.set(id, { text, page: new URL(url).pathname });
      url = (JSON.parse(body) as { next_url?: string }).next_url;
    }
    return items;
  }

  it.each([
    // More than the subscription feed's three: the rest are on archive pages, 1–4 of them settled.
    ['?limit=13', [13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]],
    ['?tag=even&limit=6', [12, 10, 8, 6, 4, 2]],
    ['?since=2024-03-07T00:00:00Z&limit=20', [13, 12, 11, 10, 9, 8, 7]],
  ] as const)('%s gives the items of the archive feeds, byte for byte', async (search, days) => {
    const archived = await archiveItems();
    expect(archived.size).toBe(13);
    const res = await fetchArchived(`/feed.json${search}`);
    expect(res.status).toBe(200);
    const body = await res.text();
    const items = itemTexts(body);
    expect([...items.keys()]).toEqual(days.map(idOf));
    expect((JSON.parse(body) as { items: unknown[] }).items).toHaveLength(days.length);
    for (const [id, text] of items) expect(text, id).toBe(archived.get(id)?.text);
    // Days 1–8 are on settled pages only: the static assets hold them, the Worker does not.
    for (const day of days.filter((d) => d <= 8)) {
      const page = archived.get(idOf(day))?.page ?? '';
      expect(page, `day ${day}`).toMatch(/^\/archive\/[1-4]\/feed\.json$/);
      expect(await archivedAssets.unstable_canFetch(new Request(`${BASE}${page}`)), page).toBe(
        true,
      );
    }
  });

  type File = ServedSite['query']['files'][number];
  it.each([
    [
      'a length other than the one recorded',
      (f: File): File => ({ ...f, bytes: f.bytes + 1 }),
      500,
    ],
    ['no such file', (f: File): File => ({ ...f, path: f.path.replace(/\d+/, '9') }), 503],
  ])(
    'fails rather than send wrong bytes when an archive file has %s',
    async (_name, change, status) => {
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      const archives = archivedSite.query.files.filter((f) => f.path.includes('/archive/'));
      expect(archives.length).toBeGreaterThan(0);
      const broken = serveFixture(archivedSite, NOW, {
        changes: {
          query: {
            ...archivedSite.query,
            files: archivedSite.query.files.map((f) => (archives.includes(f) ? change(f) : f)),
          },
        },
      });
      const res = await broken('/feed.json?tag=even&limit=6');
      expect(res.status).toBe(status);
      // A missing file is a moment of `wrangler dev` between a rebuild's assets and its module.
      if (status === 503) {
        expect(res.headers.get('retry-after')).toBe('1');
        expect(await res.text()).toMatch(/being updated/);
      } else expect(await res.text()).toBe('Internal error.\n');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(errors).toHaveBeenCalledTimes(1);
      expect(String(errors.mock.calls[0]?.[0])).toMatch(/\/archive\/\d\/feed\.json/);
      // A query that needs no archive file is answered as before.
      expect((await broken('/feed.json?limit=3')).status).toBe(200);
    },
  );
});

describe("the Worker's own files under /_worker/ (bodies and the query index)", () => {
  // A tag's feed: its body is read from the static assets (the site's own feeds are resident).
  const rss = site.routes['/tags/news/rss.xml']?.[0];
  if (!rss) throw new Error('the paged fixture has no /tags/news/rss.xml');
  if (rss.body.resident) throw new Error('the tag feed is resident: the test reads nothing');
  const files = [
    `/_worker/${rss.body.name}.body`,
    `/_worker/${rss.body.name}.br`,
    site.query.items.path,
  ];

  it('are in the static assets, yet a reader asking for one gets the Worker, which answers 404', async () => {
    for (const path of files) {
      // The binding reads them (it ignores run_worker_first)…
      const direct = await assets.fetch(`${BASE}${path}`);
      expect(direct.status, path).toBe(200);
      await direct.arrayBuffer();
      // …but the router sends a reader's request to the Worker, whose routes have no such path.
      const res = await fetch(path);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toContain('<rss');
    }
  });

  it('are read once per isolate: a warm answer comes from memory', async () => {
    const { reads, counting } = countReads();
    const { createApp } = await import('../../src/app.ts');
    const app = createApp({ site, clock: () => NOW });
    const get = async (init?: RequestInit) =>
      app.fetch(new Request(`${BASE}/tags/news/rss.xml`, init), { ASSETS: counting });
    const first = await (await get()).text();
    expect(first).toContain('<rss');
    expect(await (await get()).text()).toBe(first);
    // A HEAD and a 304 need no body: only the first GET read the file.
    const head = await get({ method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(rss.body.identity));
    expect((await get({ headers: { 'If-None-Match': rss.etag } })).status).toBe(304);
    expect(reads).toEqual([`/_worker/${rss.body.name}.body`]);
  });

  it('answer 503 with Retry-After when missing (a rebuild between its assets and its module), and nothing is kept', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const routes = {
      ...site.routes,
      '/tags/news/rss.xml': [
        { ...rss, body: { ...rss.body, name: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA' } },
      ],
    };
    const broken = serveFixture(site, NOW, { changes: { routes } });
    const res = await broken('/tags/news/rss.xml');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(errors).toHaveBeenCalledTimes(1);
    // The other routes are whole (one that reads its file too, not a resident one).
    expect((await broken('/tags/news/atom.xml')).status).toBe(200);
  });
});

describe("the site's own feeds and front page, carried by the bundle too", () => {
  const RESIDENT = ['/rss.xml', '/atom.xml', '/feed.json', '/'];

  it('are answered in every coding without a read, with the bytes of their files', async () => {
    const { reads, counting } = countReads();
    const { createApp } = await import('../../src/app.ts');
    const app = createApp({ site, clock: () => NOW });
    for (const path of RESIDENT) {
      const version = site.routes[path]?.[0];
      if (!version) throw new Error(`the paged fixture has no ${path}`);
      for (const [accept, coding, file] of [
        ['identity', null, 'body'],
        ['gzip', 'gzip', 'gz'],
        ['br', 'br', 'br'],
      ] as const) {
        const res = await app.fetch(
          new Request(`${BASE}${path}`, { headers: { 'Accept-Encoding': accept } }),
          { ASSETS: counting },
        );
        expect(res.status, `${path} ${accept}`).toBe(200);
        expect(res.headers.get('content-encoding'), `${path} ${accept}`).toBe(coding);
        // What a reader gets is the file the build wrote for that coding, byte for byte.
        const sent = new Uint8Array(await res.arrayBuffer());
        const stored = await assets.fetch(`${BASE}/_worker/${version.body.name}.${file}`);
        expect(sent, `${path} ${accept}`).toEqual(new Uint8Array(await stored.arrayBuffer()));
      }
    }
    expect(reads).toEqual([]);
  });

  it('stay within the bound, and every other body is read from the static assets', () => {
    let resident = 0;
    for (const [path, versions] of Object.entries(site.routes))
      for (const { body } of versions) {
        if (!body.resident) continue;
        expect(RESIDENT, path).toContain(path);
        for (const coding of ['identity', 'br', 'gzip'] as const)
          if (body.resident[coding] !== undefined) resident += body[coding] ?? 0;
      }
    expect(resident).toBeGreaterThan(0);
    expect(resident).toBeLessThanOrEqual(1024 * 1024);
    expect(site.chunks.data.byteLength).toBeGreaterThanOrEqual(resident);
  });
});

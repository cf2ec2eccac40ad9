import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import type { EdgeCacheScope, ServedSite } from '../../src/site/types.ts';
import { site as hostileSite } from '../generated/hostile.js';
import { site as pagedSite } from '../generated/paged.js';
import { site as scheduledSite } from '../generated/scheduled.js';
import { site as scheduledPagesSite } from '../generated/scheduled-pages.js';
import { SCHEDULED_AT, SCHEDULED_PAGES_AT } from '../support/schedule.ts';
import { fixtureAssets } from './fixture-app.ts';

const NOW = Date.parse('2026-06-01T00:00:00Z');

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

/** An app over a fixture with the given EDGE_CACHE scope and a build id of its own, so its cache entries are fresh. */
function createFreshApp(
  scope: EdgeCacheScope,
  buildId = `test-${crypto.randomUUID()}`,
  base: ServedSite = hostileSite,
  now = NOW,
): { fetch: Fetch } {
  const site: ServedSite = { ...base, buildId, config: { ...base.config, edgeCache: scope } };
  const app = createApp({ site, clock: () => now });
  const env = { ASSETS: fixtureAssets(base) };
  return {
    async fetch(url, init) {
      const ctx = createExecutionContext();
      const res = await app.fetch(new Request(url, init), env, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    },
  };
}

describe('edge cache in front of every route (EDGE_CACHE = "all")', () => {
  const createFreshAppAll = (buildId?: string): { fetch: Fetch } => createFreshApp('all', buildId);

  it('misses first, then hits with an identical body', async () => {
    const app = createFreshAppAll();
    const first = await app.fetch('https://news.example/rss.xml');
    const firstBody = await first.text();
    expect(first.headers.get('x-edge-cache')).toBe('MISS');
    const second = await app.fetch('https://news.example/rss.xml');
    expect(second.status).toBe(200);
    expect(second.headers.get('x-edge-cache')).toBe('HIT');
    expect(await second.text()).toBe(firstBody);
    for (const name of [
      'content-type',
      'etag',
      'last-modified',
      'cache-control',
      'access-control-allow-origin',
      'vary',
    ]) {
      expect(second.headers.get(name), name).toBe(first.headers.get(name));
    }
  });

  it('answers a conditional request for a pre-rendered body from memory, without the cache', async () => {
    const app = createFreshAppAll();
    const first = await app.fetch('https://news.example/feed.json');
    await first.text();
    const res = await app.fetch('https://news.example/feed.json', {
      headers: { 'If-None-Match': first.headers.get('etag') ?? '' },
    });
    expect(res.status).toBe(304);
    expect(res.headers.get('x-edge-cache')).toBe('BYPASS');
    expect(await res.text()).toBe('');
    // A validator that does not match still goes through the cache.
    const stale = await app.fetch('https://news.example/feed.json', {
      headers: { 'If-None-Match': '"old"' },
    });
    expect(stale.status).toBe(200);
    expect(stale.headers.get('x-edge-cache')).toBe('HIT');
  });

  it('answers a conditional request for a query result from the cached entry', async () => {
    const app = createFreshAppAll();
    const first = await app.fetch('https://news.example/feed.json?limit=1');
    await first.text();
    const res = await app.fetch('https://news.example/feed.json?limit=1', {
      headers: { 'If-None-Match': first.headers.get('etag') ?? '' },
    });
    expect(res.status).toBe(304);
    expect(res.headers.get('x-edge-cache')).toBe('HIT');
  });

  it('misses after a new build, whose hash is part of the key', async () => {
    const before = createFreshAppAll();
    await (await before.fetch('https://news.example/atom.xml')).text();
    expect((await before.fetch('https://news.example/atom.xml')).headers.get('x-edge-cache')).toBe(
      'HIT',
    );
    const after = createFreshAppAll();
    expect((await after.fetch('https://news.example/atom.xml')).headers.get('x-edge-cache')).toBe(
      'MISS',
    );
  });

  it('drops tracking parameters from the key', async () => {
    const app = createFreshAppAll();
    await (await app.fetch('https://news.example/rss.xml')).text();
    const res = await app.fetch(
      'https://news.example/rss.xml?utm_source=newsletter&utm_medium=email&fbclid=abc',
    );
    expect(res.headers.get('x-edge-cache')).toBe('HIT');
  });

  it('stores only 200 responses', async () => {
    const app = createFreshAppAll();
    await (await app.fetch('https://news.example/no-such-page')).text();
    const again = await app.fetch('https://news.example/no-such-page');
    expect(again.status).toBe(404);
    expect(again.headers.get('x-edge-cache')).toBe('MISS');
  });

  it('serves byte-identical feeds whatever Host or X-Forwarded-Host says, and is not poisoned by them', async () => {
    const app = createFreshAppAll();
    const spoofed = await app.fetch('https://evil.example/rss.xml', {
      headers: { 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'http' },
    });
    const spoofedBody = await spoofed.text();
    expect(spoofed.headers.get('x-edge-cache')).toBe('MISS');
    expect(spoofedBody).not.toContain('evil.example');
    const honest = await app.fetch('https://news.example/rss.xml');
    expect(honest.headers.get('x-edge-cache')).toBe('HIT');
    expect(await honest.text()).toBe(spoofedBody);
    const fresh = createFreshAppAll();
    const uncached = await fresh.fetch('https://news.example/rss.xml');
    expect(await uncached.text()).toBe(spoofedBody);
  });
});

describe('edge cache for answers computed per request (EDGE_CACHE = "computed", the default)', () => {
  it('is the default', () => {
    expect(hostileSite.config.edgeCache).toBe('computed');
  });

  it('answers pre-rendered routes from memory and stores nothing in the Cache API', async () => {
    const buildId = `test-${crypto.randomUUID()}`;
    const app = createFreshApp('computed', buildId);
    for (const path of ['/rss.xml', '/atom.xml', '/feed.json', '/']) {
      const first = await app.fetch(`https://news.example${path}`);
      const second = await app.fetch(`https://news.example${path}`);
      expect(first.status, path).toBe(200);
      expect([first.headers.get('x-edge-cache'), second.headers.get('x-edge-cache')], path).toEqual(
        ['BYPASS', 'BYPASS'],
      );
      expect(await second.text(), path).toBe(await first.text());
    }
    // An app of the same build that does use the cache finds nothing there.
    const all = createFreshApp('all', buildId);
    expect((await all.fetch('https://news.example/rss.xml')).headers.get('x-edge-cache')).toBe(
      'MISS',
    );
  });

  it('misses a query result first, then hits with an identical body, tracking parameters dropped from the key', async () => {
    const app = createFreshApp('computed');
    const first = await app.fetch('https://news.example/feed.json?limit=2');
    const firstBody = await first.text();
    expect(first.status).toBe(200);
    expect(first.headers.get('x-edge-cache')).toBe('MISS');
    const second = await app.fetch('https://news.example/feed.json?utm_source=x&limit=2&fbclid=y');
    expect(second.headers.get('x-edge-cache')).toBe('HIT');
    expect(await second.text()).toBe(firstBody);
    const other = await app.fetch('https://news.example/feed.json?limit=1');
    expect(other.headers.get('x-edge-cache')).toBe('MISS');
    expect(((await other.json()) as { items: unknown[] }).items).toHaveLength(1);
  });

  it('leaves 404s and redirects out of the cache, and stores no refused query', async () => {
    const app = createFreshApp('computed');
    for (const path of ['/no-such-page', '/feed']) {
      const res = await app.fetch(`https://news.example${path}`);
      await res.text();
      expect(res.status, path).not.toBe(200);
      expect(res.headers.get('x-edge-cache'), path).toBe('BYPASS');
    }
    for (let i = 0; i < 2; i++) {
      const refused = await app.fetch('https://news.example/feed.json?limit=0');
      expect(refused.status).toBe(400);
      expect(refused.headers.get('x-edge-cache')).toBe('MISS');
      await refused.text();
    }
  });

  it('serves byte-identical feeds whatever Host or X-Forwarded-Host says', async () => {
    const app = createFreshApp('computed');
    for (const path of ['/rss.xml', '/feed.json?limit=3']) {
      const spoofed = await app.fetch(`https://evil.example${path}`, {
        headers: { 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'http' },
      });
      const spoofedBody = await spoofed.text();
      expect(spoofedBody, path).not.toContain('evil.example');
      expect(await (await app.fetch(`https://news.example${path}`)).text(), path).toBe(spoofedBody);
    }
  });
});

describe('no edge cache (EDGE_CACHE = "off")', () => {
  it('computes query results on every request and stores nothing', async () => {
    const buildId = `test-${crypto.randomUUID()}`;
    const app = createFreshApp('off', buildId);
    for (const path of ['/feed.json?limit=2', '/feed.json?limit=2', '/rss.xml', '/no-such-page']) {
      const res = await app.fetch(`https://news.example${path}`);
      await res.text();
      expect(res.headers.get('x-edge-cache'), path).toBe('BYPASS');
    }
    // An app of the same build that uses the cache finds nothing there.
    expect(
      (
        await createFreshApp('computed', buildId).fetch('https://news.example/feed.json?limit=2')
      ).headers.get('x-edge-cache'),
    ).toBe('MISS');
  });
});

/**
 * With EDGE_CACHE = "computed" pre-rendered routes are answered from memory; with "all" the
 * edge cache stands in front of every route (here empty for each request, so that answers are
 * made, then stored). Every answer must be the same, field for field and byte for byte, but
 * for X-Edge-Cache.
 */
describe('answers from memory and through the edge cache are the same', () => {
  const sites: [string, ServedSite, number][] = [
    ['hostile', hostileSite, NOW],
    ['paged', pagedSite, NOW],
    ['scheduled, before the publication', scheduledSite, SCHEDULED_AT - 90_000],
    ['scheduled, after it', scheduledSite, SCHEDULED_AT + 1],
    ['scheduled pages, before page 2 appears', scheduledPagesSite, SCHEDULED_PAGES_AT[2] - 90_000],
  ];

  it.each(sites)(
    'on every route of the %s fixture, for GET, HEAD and conditional requests',
    async (_name, site, now) => {
      const fast = createFreshApp('computed', undefined, site, now);
      // A Hono app with an empty cache for each request: its answers are made, not replayed.
      const full = {
        fetch: (url: string, init?: RequestInit) =>
          createFreshApp('all', undefined, site, now).fetch(url, init),
      };
      const paths = Object.keys(site.routes).flatMap((path) => [
        path,
        `${path}?utm_source=feed`,
        ...(path.includes('%') ? [path.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())] : []),
      ]);
      expect(paths.length).toBeGreaterThan(5);
      let compared = 0;
      for (const path of [...paths, '/no-such-page']) {
        const url = `https://news.example${path}`;
        const plain = await fast.fetch(url);
        const etag = plain.headers.get('etag');
        const lastModified = plain.headers.get('last-modified');
        const variants: RequestInit[] = [
          {},
          { method: 'HEAD' },
          ...(etag
            ? [
                { headers: { 'If-None-Match': `"other", ${etag}` } },
                { method: 'HEAD', headers: { 'If-None-Match': etag } },
              ]
            : []),
          ...(lastModified ? [{ headers: { 'If-Modified-Since': lastModified } }] : []),
          {
            headers: {
              'If-None-Match': '"not-it"',
              'If-Modified-Since': 'Fri, 01 Jan 2100 00:00:00 GMT',
            },
          },
        ];
        await plain.arrayBuffer();
        for (const init of variants) {
          const where = `${init.method ?? 'GET'} ${path} ${JSON.stringify(init.headers ?? {})}`;
          const [a, b] = [await fast.fetch(url, init), await full.fetch(url, init)];
          expect(a.status, where).toBe(b.status);
          expect(fieldsOf(a), where).toEqual(fieldsOf(b));
          expect(await a.text(), where).toBe(await b.text());
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(paths.length * 3);
    },
  );
});

function fieldsOf(res: Response): [string, string][] {
  return [...res.headers]
    .filter(([name]) => name !== 'x-edge-cache')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

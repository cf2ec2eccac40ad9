import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import type { ServedSite } from '../../src/site/types.ts';
import { site as hostileSite } from '../generated/hostile.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

/** An app over the hostile fixture with a build id of its own, so its cache entries are fresh. */
function createFreshApp(buildId = `test-${crypto.randomUUID()}`): { fetch: (url: string, init?: RequestInit) => Promise<Response> } {
  const site: ServedSite = { ...hostileSite, buildId };
  const app = createApp({ site, clock: () => NOW });
  return {
    async fetch(url, init) {
      const ctx = createExecutionContext();
      const res = await app.fetch(new Request(url, init), {}, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    },
  };
}

describe('edge cache', () => {
  it('misses first, then hits with an identical body', async () => {
    const app = createFreshApp();
    const first = await app.fetch('https://news.example/rss.xml');
    const firstBody = await first.text();
    expect(first.headers.get('x-edge-cache')).toBe('MISS');
    const second = await app.fetch('https://news.example/rss.xml');
    expect(second.status).toBe(200);
    expect(second.headers.get('x-edge-cache')).toBe('HIT');
    expect(await second.text()).toBe(firstBody);
    for (const name of ['content-type', 'etag', 'last-modified', 'cache-control', 'access-control-allow-origin', 'vary']) {
      expect(second.headers.get(name), name).toBe(first.headers.get(name));
    }
  });

  it('answers a conditional request for a pre-rendered body from memory, without the cache', async () => {
    const app = createFreshApp();
    const first = await app.fetch('https://news.example/feed.json');
    await first.text();
    const res = await app.fetch('https://news.example/feed.json', { headers: { 'If-None-Match': first.headers.get('etag') ?? '' } });
    expect(res.status).toBe(304);
    expect(res.headers.get('x-edge-cache')).toBe('BYPASS');
    expect(await res.text()).toBe('');
    // A validator that does not match still goes through the cache.
    const stale = await app.fetch('https://news.example/feed.json', { headers: { 'If-None-Match': '"old"' } });
    expect(stale.status).toBe(200);
    expect(stale.headers.get('x-edge-cache')).toBe('HIT');
  });

  it('answers a conditional request for a query result from the cached entry', async () => {
    const app = createFreshApp();
    const first = await app.fetch('https://news.example/feed.json?limit=1');
    await first.text();
    const res = await app.fetch('https://news.example/feed.json?limit=1', { headers: { 'If-None-Match': first.headers.get('etag') ?? '' } });
    expect(res.status).toBe(304);
    expect(res.headers.get('x-edge-cache')).toBe('HIT');
  });

  it('misses after a new build, whose hash is part of the key', async () => {
    const before = createFreshApp();
    await (await before.fetch('https://news.example/atom.xml')).text();
    expect((await before.fetch('https://news.example/atom.xml')).headers.get('x-edge-cache')).toBe('HIT');
    const after = createFreshApp();
    expect((await after.fetch('https://news.example/atom.xml')).headers.get('x-edge-cache')).toBe('MISS');
  });

  it('drops tracking parameters from the key', async () => {
    const app = createFreshApp();
    await (await app.fetch('https://news.example/rss.xml')).text();
    const res = await app.fetch('https://news.example/rss.xml?utm_source=newsletter&utm_medium=email&fbclid=abc');
    expect(res.headers.get('x-edge-cache')).toBe('HIT');
  });

  it('stores only 200 responses', async () => {
    const app = createFreshApp();
    await (await app.fetch('https://news.example/no-such-page')).text();
    const again = await app.fetch('https://news.example/no-such-page');
    expect(again.status).toBe(404);
    expect(again.headers.get('x-edge-cache')).toBe('MISS');
  });

  it('serves byte-identical feeds whatever Host or X-Forwarded-Host says, and is not poisoned by them', async () => {
    const app = createFreshApp();
    const spoofed = await app.fetch('https://evil.example/rss.xml', { headers: { 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'http' } });
    const spoofedBody = await spoofed.text();
    expect(spoofed.headers.get('x-edge-cache')).toBe('MISS');
    expect(spoofedBody).not.toContain('evil.example');
    const honest = await app.fetch('https://news.example/rss.xml');
    expect(honest.headers.get('x-edge-cache')).toBe('HIT');
    expect(await honest.text()).toBe(spoofedBody);
    const fresh = createFreshApp();
    const uncached = await fresh.fetch('https://news.example/rss.xml');
    expect(await uncached.text()).toBe(spoofedBody);
  });
});

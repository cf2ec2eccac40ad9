import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import type { EdgeCacheScope, ServedSite } from '../../src/site/types.ts';
import { site as scheduledSite } from '../generated/scheduled.js';
import { SCHEDULED_AT } from '../support/schedule.ts';
import { parseXml } from './support.ts';

const PUBLISHED_AT = 'Tue, 31 Dec 2024 09:00:00 GMT';

/** The scheduled fixture served at a fixed instant, with a cache namespace of its own. */
function appAt(now: number, buildId = `scheduled-${crypto.randomUUID()}`, edgeCache: EdgeCacheScope = 'computed') {
  const site: ServedSite = { ...scheduledSite, buildId, config: { ...scheduledSite.config, edgeCache } };
  const app = createApp({ site, clock: () => now });
  return async (path: string): Promise<Response> => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`https://news.example${path}`), {}, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
}

async function titlesIn(fetch: (path: string) => Promise<Response>): Promise<Record<string, string[]>> {
  const rss = parseXml(await (await fetch('/rss.xml')).text()).rss.channel.item ?? [];
  const atom = parseXml(await (await fetch('/atom.xml')).text()).feed.entry ?? [];
  const json = ((await (await fetch('/feed.json')).json()) as { items: { title: string }[] }).items;
  const index = await (await fetch('/')).text();
  return {
    rss: rss.map((i: any) => i.title),
    atom: atom.map((e: any) => e.title['#text']),
    json: json.map((i) => i.title),
    index: ['Already out', 'Coming soon'].filter((t) => index.includes(`>${t}</a>`)),
  };
}

describe('scheduled publishing', () => {
  it('keeps a future article out of every feed, the index and its own URL before its time', async () => {
    const fetch = appAt(SCHEDULED_AT - 60 * 60 * 1000);
    expect(await titlesIn(fetch)).toEqual({ rss: ['Already out'], atom: ['Already out'], json: ['Already out'], index: ['Already out'] });
    expect((await fetch('/articles/coming-soon')).status).toBe(404);
    expect((await fetch('/articles/already-out')).status).toBe(200);
  });

  it('does not let a future article move updated, lastBuildDate or Last-Modified', async () => {
    const fetch = appAt(SCHEDULED_AT - 1000);
    const rss = await fetch('/rss.xml');
    expect(rss.headers.get('last-modified')).toBe(PUBLISHED_AT);
    expect(parseXml(await rss.text()).rss.channel.lastBuildDate).toBe(PUBLISHED_AT);
    expect(parseXml(await (await fetch('/atom.xml')).text()).feed.updated).toBe('2024-12-31T09:00:00.000Z');
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
    expect((await fetch('/rss.xml')).headers.get('last-modified')).toBe('Wed, 01 Jan 2025 12:00:00 GMT');
  });

  it('clamps every lifetime to the seconds left before the next publication', async () => {
    const fetch = appAt(SCHEDULED_AT - 90 * 1000);
    expect((await fetch('/rss.xml')).headers.get('cache-control')).toBe('public, max-age=90, s-maxage=90');
    expect((await fetch('/')).headers.get('cache-control')).toBe('public, max-age=90, s-maxage=90');
    expect((await fetch('/articles/coming-soon')).headers.get('cache-control')).toBe('public, max-age=60, s-maxage=60, stale-while-revalidate=30');
    const far = appAt(SCHEDULED_AT - 400 * 1000);
    expect((await far('/rss.xml')).headers.get('cache-control')).toBe('public, max-age=300, s-maxage=400');
  });

  it('does not clamp once nothing more is scheduled', async () => {
    const fetch = appAt(SCHEDULED_AT + 1);
    expect((await fetch('/rss.xml')).headers.get('cache-control')).toBe('public, max-age=300, s-maxage=600, stale-while-revalidate=60');
  });

  it.each([
    ['all', '/feed.json'],
    ['computed', '/feed.json?limit=10'],
  ] as const)('never serves an edge-cached answer from before the publication after it (EDGE_CACHE = "%s", %s)', async (scope, path) => {
    const buildId = `scheduled-${crypto.randomUUID()}`;
    const before = appAt(SCHEDULED_AT - 10_000, buildId, scope);
    await (await before(path)).text();
    expect((await before(path)).headers.get('x-edge-cache')).toBe('HIT');
    const after = appAt(SCHEDULED_AT, buildId, scope);
    const res = await after(path);
    expect(res.headers.get('x-edge-cache')).toBe('MISS');
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(2);
  });
});

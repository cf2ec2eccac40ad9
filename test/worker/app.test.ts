import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/app.ts';
import type { EdgeCacheScope, ServedSite } from '../../src/site/types.ts';
import { site as pagedSite } from '../generated/paged.js';
import { fixtureAssets } from './fixture-app.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');

/** The paged fixture with changes, served at NOW; counts the clock's readings. */
function serve(changes: Partial<ServedSite>, edgeCache: EdgeCacheScope = 'computed') {
  const site: ServedSite = {
    ...pagedSite,
    ...changes,
    buildId: `app-${crypto.randomUUID()}`,
    config: { ...pagedSite.config, edgeCache },
  };
  const clock = vi.fn(() => NOW);
  const app = createApp({ site, clock });
  const env = { ASSETS: fixtureAssets(pagedSite) };
  const fetch = async (path: string, init?: RequestInit): Promise<Response> => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`https://news.example${path}`, init), env, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
  return { fetch, clock };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the clock', () => {
  it.each(['computed', 'all', 'off'] as const)(
    'is read once per GET or HEAD, wherever the answer is made, not for the method gate (EDGE_CACHE = "%s")',
    async (scope) => {
      const { fetch, clock } = serve({}, scope);
      const paths = [
        '/rss.xml',
        '/rss.xml',
        '/feed.json?limit=2',
        '/feed.json?limit=2',
        '/feed.json?limit=0',
        '/feed',
        '/no-such-page',
        '/favicon.ico',
      ];
      for (const path of paths) await (await fetch(path)).arrayBuffer();
      await fetch('/rss.xml', { method: 'OPTIONS' });
      expect(clock).toHaveBeenCalledTimes(paths.length);
    },
  );
});

describe('an exception', () => {
  it('while an answer from memory is made is a 500, logged once, not answered a second time by the router', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    // A Link value that Headers refuses, so that making this answer's fields throws.
    const broken = (pagedSite.routes['/rss.xml'] ?? []).map((version) => ({
      ...version,
      link: 'bad\nvalue',
    }));
    const { fetch } = serve({ routes: { ...pagedSite.routes, '/rss.xml': broken } });
    const res = await fetch('/rss.xml');
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('Internal error.\n');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0]?.[0]).toBeInstanceOf(TypeError);
    // Every other answer is made as before.
    expect((await fetch('/atom.xml')).status).toBe(200);
  });

  it.each(['computed', 'off'] as const)(
    'in a route is the same 500 (EDGE_CACHE = "%s")',
    async (scope) => {
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      const { fetch } = serve(
        { query: { ...pagedSite.query, items: null as unknown as ServedSite['query']['items'] } },
        scope,
      );
      const res = await fetch('/feed.json?limit=2');
      expect(res.status).toBe(500);
      expect(await res.text()).toBe('Internal error.\n');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(errors).toHaveBeenCalledTimes(1);
    },
  );
});

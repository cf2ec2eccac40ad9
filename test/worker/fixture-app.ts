import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { createApp } from '../../src/app.ts';
import type { ServedSite } from '../../src/site/types.ts';

/**
 * Serves a fixture site at a fixed instant, with a build id of its own so that its edge-cache
 * entries start empty. Returns a fetch that takes a path (or a full URL).
 */
export function serveFixture(
  site: ServedSite,
  now: number,
  buildId = `fixture-${crypto.randomUUID()}`,
): (path: string, init?: RequestInit) => Promise<Response> {
  const app = createApp({ site: { ...site, buildId }, clock: () => now });
  return async (path, init) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(path.startsWith('http') ? path : `https://news.example${path}`, init),
      {},
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  };
}
